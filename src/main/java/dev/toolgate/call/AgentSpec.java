package dev.toolgate.call;

import java.util.List;

/**
 * An agent of the contract.
 *
 * @param id the agent id
 * @param tenant the tenant it acts for
 * @param workflow its workflow, or the empty string
 * @param roles its roles
 * @param apiKeySha256 hex SHA-256 digests of its API keys (the keys themselves are never stored)
 * @param spiffeIds the SPIFFE IDs of its workloads: a peer proven to hold one (a client certificate, or Envoy's
 *        {@code source.principal} when trusted) is this agent
 */
public record AgentSpec(String id, String tenant, String workflow, List<String> roles, List<String> apiKeySha256,
        List<String> spiffeIds) {

    /** An agent known by API keys (and JWTs) only. */
    public AgentSpec(String id, String tenant, String workflow, List<String> roles, List<String> apiKeySha256) {
        this(id, tenant, workflow, roles, apiKeySha256, List.of());
    }

    public AgentSpec {
        roles = List.copyOf(roles);
        apiKeySha256 = List.copyOf(apiKeySha256);
        spiffeIds = List.copyOf(spiffeIds);
    }
}
