package dev.toolgate.call;

import java.util.List;
import java.util.Objects;

/**
 * Who is acting: one identity per agent, tenant and workflow.
 *
 * @param agent the agent id of the contract
 * @param tenant the tenant the agent acts for
 * @param workflow the workflow, or the empty string when none
 * @param roles roles, sorted and without duplicates
 * @param authenticatedBy how the credential was checked
 */
public record Principal(String agent, String tenant, String workflow, List<String> roles, AuthMethod authenticatedBy) {

    public Principal {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(tenant, "tenant");
        workflow = workflow == null ? "" : workflow;
        roles = roles.stream().distinct().sorted().toList();
        Objects.requireNonNull(authenticatedBy, "authenticatedBy");
    }
}
