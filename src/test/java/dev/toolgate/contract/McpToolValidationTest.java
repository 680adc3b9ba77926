package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.Contract;
import dev.toolgate.call.CostSpec;
import dev.toolgate.call.Fallback;
import dev.toolgate.call.ToolSpec;

/** A tool of kind {@code mcp}: an MCP server whose tools are the actions. */
class McpToolValidationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An MCP docs tool with the given actions, each line one flow mapping. */
    private static String docs(String... actions) {
        StringBuilder yaml = new StringBuilder("""
                version: 1
                tools:
                  docs:
                    kind: mcp
                    upstream: http://127.0.0.1:9200/mcp
                    risk: medium
                    reversible: true
                    actions:
                """);
        for (String action : actions) {
            yaml.append("      - ").append(action).append('\n');
        }
        return yaml.toString();
    }

    @Test
    void loadsAnMcpToolWithItsToolsAsActions() throws Exception {
        // when
        ToolSpec docs = Contracts.parse(Contracts.text("mcp.yaml")).tool("docs").orElseThrow();

        // then
        assertEquals(ToolSpec.Kind.MCP, docs.kind());
        assertEquals(URI.create("http://127.0.0.1:9200/mcp"), docs.upstream());
        assertEquals(List.of("search_docs", "Cached.Search-v2", "page.write"),
                docs.actions().stream().map(ActionSpec::name).toList());
        ActionSpec search = docs.actions().get(0);
        assertEquals(ActionSpec.MCP_METHOD, search.method());
        assertEquals(List.of("search_docs"), search.path().segments());
        assertEquals(new CostSpec(500, Optional.empty()), search.cost());
        assertEquals(Optional.of(new Fallback.ToAction("docs", "Cached.Search-v2")), search.fallback());
        assertEquals(1, search.schema().validate((ObjectNode) JSON.readTree("{\"query\": 1}")).size());
        ActionSpec cached = docs.actions().get(1);
        assertEquals(List.of(), cached.schema().validate((ObjectNode) JSON.readTree("{\"anything\": [1]}")));
        assertEquals(ActionSpec.IdempotencyKey.REQUIRED, docs.actions().get(2).idempotencyKey());
    }

    @Test
    void keepsHttpTheDefaultKind() {
        ToolSpec ledger = Contracts.parse(Contracts.text("mcp.yaml")).tool("ledger").orElseThrow();
        assertEquals(ToolSpec.Kind.HTTP, ledger.kind());
        assertEquals("GET", ledger.actions().get(0).method());
    }

    @Test
    void keepsAnMcpEndpointExactlyAsGiven() {
        ToolSpec docs = Contracts.parse(docs("{name: search}").replace("/mcp", "/mcp/")).tool("docs").orElseThrow();
        assertEquals(URI.create("http://127.0.0.1:9200/mcp/"), docs.upstream());
    }

    @Test
    void refusesAMethodOrPathOnAnMcpAction() {
        assertEquals(List.of("tools.docs.actions[0].method: not used by an mcp tool",
                "tools.docs.actions[1].path: not used by an mcp tool"),
                Contracts.errors(docs("{name: search, method: POST}", "{name: fetch, path: /fetch}")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "search docs", "search/docs", "sëarch", "a:b" })
    void refusesBadMcpToolNames(String name) {
        assertEquals(List.of("tools.docs.actions[0].name: must match [A-Za-z0-9_.-]{1,128}"),
                Contracts.errors(docs("{name: \"" + name + "\"}")));
    }

    @Test
    void refusesAnMcpToolNameLongerThan128Characters() {
        assertEquals(List.of("tools.docs.actions[0].name: must match [A-Za-z0-9_.-]{1,128}"),
                Contracts.errors(docs("{name: " + "a".repeat(129) + "}")));
        assertEquals(1, Contracts.parse(docs("{name: " + "a".repeat(128) + "}")).tool("docs").orElseThrow()
                .actions().size());
    }

    @Test
    void refusesDuplicateMcpToolNames() {
        assertEquals(List.of("tools.docs.actions[1].name: duplicate action name \"Search\" (also actions[0])"),
                Contracts.errors(docs("{name: Search}", "{name: Search}")));
    }

    @Test
    void keepsTheHttpNamingRuleForHttpTools() {
        assertEquals(List.of("tools.docs.actions[0].name: must match [a-z0-9][a-z0-9._-]*"),
                Contracts.errors(docs("{name: Search, method: GET, path: /s, schema: {type: object}}")
                        .replace("kind: mcp", "kind: http")));
    }

    @Test
    void refusesAnUnknownKind() {
        assertEquals(List.of("tools.docs.kind: must be one of http, mcp, grpc"),
                Contracts.errors(docs("{name: search, method: GET, path: /s, schema: {type: object}}")
                        .replace("kind: mcp", "kind: smtp")));
    }

    @Test
    void refusesAnMcpUpstreamThatIsNotAnHttpUrl() {
        assertEquals(List.of("tools.docs.upstream: must be an absolute http or https URL"),
                Contracts.errors(docs("{name: search}").replace("http://127.0.0.1:9200/mcp", "stdio:docs-server")));
    }

    @Test
    void refusesAGrantOfAnUndeclaredMcpTool() {
        assertEquals(List.of("grants.bot.docs: unknown action \"delete_docs\""),
                Contracts.errors(docs("{name: search}") + """
                        agents:
                          bot: {tenant: acme}
                        grants:
                          bot:
                            docs: [delete_docs]
                        """));
    }

    @Test
    void grantsAnMcpServersResourcesAndPromptsOnlyByName() {
        Contract contract = Contracts.parse(docs("{name: search}") + """
                agents:
                  bot: {tenant: acme}
                  all: {tenant: acme}
                grants:
                  bot:
                    docs: [search, "resources/*", "prompts/*"]
                  all:
                    docs: ["*"]
                """);
        assertEquals(true, contract.grantedMcp("bot", "docs", Contract.RESOURCES));
        assertEquals(true, contract.grantedMcp("bot", "docs", Contract.PROMPTS));
        // "*" grants every tool of the server, not its resources or prompts
        assertEquals(true, contract.granted("all", "docs", "search"));
        assertEquals(false, contract.grantedMcp("all", "docs", Contract.RESOURCES));
        assertEquals(false, contract.grantedMcp("all", "docs", Contract.PROMPTS));
    }

    @Test
    void refusesResourceAndPromptGrantsOfAnHttpTool() {
        assertEquals(List.of("grants.bot.web: \"resources/*\" is a grant of an mcp tool",
                "grants.bot.web: \"prompts/*\" is a grant of an mcp tool"),
                Contracts.errors("""
                        version: 1
                        agents:
                          bot: {tenant: acme}
                        tools:
                          web:
                            upstream: http://127.0.0.1:9300
                            risk: low
                            reversible: true
                            actions:
                              - {name: get, method: GET, path: /, schema: {type: object}}
                        grants:
                          bot:
                            web: ["resources/*", "prompts/*"]
                        """));
    }

    @Test
    void keepsAFallbackOnTheSameKindAndServer() {
        String both = docs("{name: search, fallback: {tool: web, action: get}}") + """
                  web:
                    upstream: http://127.0.0.1:9300
                    risk: low
                    reversible: true
                    actions:
                      - {name: get, method: GET, path: /, schema: {type: object}, fallback: {tool: docs, action: search}}
                """;
        assertEquals(List.of(
                "tools.docs.actions[0].fallback.tool: must be this MCP server: an mcp action falls back to another of "
                        + "its own server's tools",
                "tools.web.actions[0].fallback.tool: must be an http tool: an http action cannot fall back to an mcp tool"),
                Contracts.errors(both));
    }
}
