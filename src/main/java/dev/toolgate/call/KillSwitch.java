package dev.toolgate.call;

import java.util.Optional;

/**
 * A kill switch: it stops every call whose principal and tool match all of its non-empty selectors.
 *
 * @param agent agent id, or empty for any
 * @param tool tool name, or empty for any
 * @param tenant tenant, or empty for any
 * @param workflow workflow, or empty for any
 * @param reason why it was engaged, shown to the caller
 */
public record KillSwitch(Optional<String> agent, Optional<String> tool, Optional<String> tenant,
        Optional<String> workflow, String reason) {

    public boolean matches(Principal principal, String toolName) {
        return agent.map(principal.agent()::equals).orElse(true)
                && tool.map(toolName::equals).orElse(true)
                && tenant.map(principal.tenant()::equals).orElse(true)
                && workflow.map(principal.workflow()::equals).orElse(true);
    }

    /** A short description of what it selects, e.g. {@code tool=deploy,tenant=acme}. */
    public String selector() {
        StringBuilder s = new StringBuilder();
        agent.ifPresent(v -> s.append("agent=").append(v).append(','));
        tool.ifPresent(v -> s.append("tool=").append(v).append(','));
        tenant.ifPresent(v -> s.append("tenant=").append(v).append(','));
        workflow.ifPresent(v -> s.append("workflow=").append(v).append(','));
        return s.isEmpty() ? "*" : s.substring(0, s.length() - 1);
    }
}
