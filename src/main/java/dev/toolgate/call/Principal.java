package dev.toolgate.call;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is acting: one identity per agent, tenant and workflow.
 *
 * @param agent the agent id of the contract
 * @param tenant the tenant the agent acts for
 * @param workflow the workflow, or the empty string when none
 * @param roles roles, sorted and without duplicates
 * @param authenticatedBy how the credential was checked
 * @param run the run the credential pins the agent to (a JWT's run claim), or empty: then every call of this principal
 *        belongs to that run, and a call that names another one is refused
 */
public record Principal(String agent, String tenant, String workflow, List<String> roles, AuthMethod authenticatedBy,
        Optional<String> run) {

    public Principal {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(tenant, "tenant");
        workflow = workflow == null ? "" : workflow;
        roles = roles.stream().distinct().sorted().toList();
        Objects.requireNonNull(authenticatedBy, "authenticatedBy");
        Objects.requireNonNull(run, "run");
    }

    /** A principal free to name its runs. */
    public Principal(String agent, String tenant, String workflow, List<String> roles, AuthMethod authenticatedBy) {
        this(agent, tenant, workflow, roles, authenticatedBy, Optional.empty());
    }
}
