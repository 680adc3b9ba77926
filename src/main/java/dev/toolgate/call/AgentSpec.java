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
 */
public record AgentSpec(String id, String tenant, String workflow, List<String> roles, List<String> apiKeySha256) {

    public AgentSpec {
        roles = List.copyOf(roles);
        apiKeySha256 = List.copyOf(apiKeySha256);
    }
}
