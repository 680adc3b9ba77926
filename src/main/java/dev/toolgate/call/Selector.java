package dev.toolgate.call;

import java.util.Optional;

/**
 * Which calls a rate limit or budget counts: those whose agent, tool, action and tenant match every selector given.
 * An empty selector matches everything.
 */
public record Selector(Optional<String> agent, Optional<String> tool, Optional<String> action,
        Optional<String> tenant) {

    public static final Selector ALL = new Selector(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    public boolean matches(Principal principal, String toolName, String actionName) {
        return agent.map(principal.agent()::equals).orElse(true)
                && tool.map(toolName::equals).orElse(true)
                && action.map(actionName::equals).orElse(true)
                && tenant.map(principal.tenant()::equals).orElse(true);
    }
}
