package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A tool's {@code headers}: header names it takes from the agent, never one toolgate refuses to forward. */
class HeaderValidationTest {

    private static String tool(String headers) {
        return """
                version: 1
                tools:
                  crm:
                    upstream: http://127.0.0.1:9101
                    risk: low
                    reversible: true
                    headers: %s
                    actions:
                      - {name: contacts.search, method: GET, path: /contacts, schema: {type: object}}
                """.formatted(headers);
    }

    @Test
    void takesHeaderNamesLowerCased() {
        assertEquals(List.of("x-request-id", "prefer"),
                Contracts.parse(tool("[X-Request-Id, Prefer]")).tool("crm").orElseThrow().headers());
    }

    @ParameterizedTest
    @ValueSource(strings = { "Authorization", "Cookie", "X-Forwarded-For", "X-Forwarded-Host", "Forwarded",
            "X-Real-IP", "X-HTTP-Method-Override", "X-Original-URL", "X-Rewrite-URL", "X-Auth-Request-User",
            "X-Forwarded-Access-Token", "Toolgate-Run-Id", "Host", "Transfer-Encoding", "Proxy-Authorization" })
    void refusesAHeaderToolgateNeverForwards(String header) {
        List<String> errors = Contracts.errors(tool("[" + header + "]"));
        assertEquals(1, errors.size(), errors.toString());
        assertEquals(true, errors.get(0).startsWith("tools.crm.headers[0]: " + header + " is a "), errors.get(0));
    }

    @Test
    void refusesWhatIsNotAHeaderName() {
        assertEquals(List.of("tools.crm.headers[0]: must be a header name"), Contracts.errors(tool("[\"X Bad\"]")));
    }

    @Test
    void refusesHeadersOnAnMcpTool() {
        String mcp = """
                version: 1
                tools:
                  docs:
                    kind: mcp
                    upstream: http://127.0.0.1:9103/mcp
                    risk: low
                    reversible: true
                    headers: [X-Request-Id]
                    actions:
                      - {name: search_docs}
                """;
        assertEquals(List.of("tools.docs.headers: not used by an mcp tool (an MCP server sees the headers MCP "
                + "defines)"), Contracts.errors(mcp));
    }
}
