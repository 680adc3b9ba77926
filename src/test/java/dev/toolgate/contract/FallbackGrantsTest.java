package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** A fallback needs its grant: the contract loads, and the agents that would be refused are named. */
class FallbackGrantsTest {

    private static final String CONTRACT = """
            version: 1
            agents:
              cheap-bot: {tenant: acme, api_keys: ["sha256:%s"]}
              full-bot: {tenant: acme, api_keys: ["sha256:%s"]}
            tools:
              models:
                upstream: http://127.0.0.1:9101
                risk: medium
                reversible: true
                actions:
                  - {name: large.complete, method: POST, path: /large, schema: {type: object},
                     fallback: {tool: models, action: small.complete}}
                  - {name: small.complete, method: POST, path: /small, schema: {type: object}}
            grants:
              cheap-bot:
                models: [large.complete]
              full-bot:
                models: ["*"]
            """.formatted("a".repeat(64), "b".repeat(64));

    @Test
    void namesEachAgentGrantedAnActionButNotItsFallback() {
        assertEquals(List.of("grants.cheap-bot: models/large.complete falls back to models/small.complete, which the "
                + "agent is not granted: over a degrade budget its calls are refused"),
                FallbackGrants.ungranted(Contracts.parse(CONTRACT)));
    }

    @Test
    void saysNothingWhenEveryFallbackIsGranted() {
        assertEquals(List.of(), FallbackGrants.ungranted(Contracts.parse(CONTRACT.replace(
                "models: [large.complete]", "models: [large.complete, small.complete]"))));
    }
}
