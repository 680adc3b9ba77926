package dev.toolgate.ingress.mcp;

import static dev.toolgate.testing.McpResource.LOOKUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.testing.McpClients;
import dev.toolgate.testing.McpResource;
import dev.toolgate.testing.McpUpstreamServer;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The schema an MCP server declares for a tool is enforced besides the contract's, compiled by its own
 * {@code $schema}, and a schema that cannot be learned refuses the call instead of switching the check off.
 */
@QuarkusTest
@WithTestResource(McpResource.class)
class McpServerSchemaTest {

    private static final String SUPPORT = "mcp-support-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/mcp/schemas")
    URL schemas;

    @TestHTTPResource("/mcp/flaky")
    URL flaky;

    private static CallToolResult call(McpSyncClient client, Map<String, Object> args) {
        return client.callTool(new CallToolRequest(LOOKUP, args));
    }

    private static JsonNode problem(CallToolResult result) {
        assertEquals(Boolean.TRUE, result.isError(), String.valueOf(result));
        return JSON.valueToTree(result.structuredContent());
    }

    private static List<String> rpcMethods() {
        return McpResource.upstream().exchanges().stream().map(McpUpstreamServer.HttpExchange::rpcMethod)
                .filter(m -> m != null && !m.startsWith("notifications/") && !m.equals("initialize")).toList();
    }

    @Test
    void enforcesADraft07InputSchemaTheServerDeclares() {
        try (McpSyncClient client = McpClients.sync(schemas.toString(), SUPPORT)) {
            McpResource.upstream().clearRecords();

            // the contract says nothing of lookup's arguments; the server's draft-07 schema wants a non-empty q
            JsonNode empty = problem(call(client, Map.of("q", "")));
            assertEquals("invalid_arguments", empty.path("reason").asText());
            assertTrue(empty.path("errors").toString().contains("inputSchema /q"), empty.toString());
            JsonNode extra = problem(call(client, Map.of("q", "x", "also", 1)));
            assertEquals("invalid_arguments", extra.path("reason").asText());
            assertTrue(extra.path("errors").toString().contains("inputSchema"), extra.toString());
            assertEquals(List.of("tools/list"), rpcMethods(), "refused calls reach the server only as a schema lookup");

            CallToolResult ok = call(client, Map.of("q", "x"));
            assertNotEquals(Boolean.TRUE, ok.isError(), String.valueOf(ok));
            assertEquals(List.of("tools/list", "tools/call"), rpcMethods());
        }
    }

    @Test
    void refusesACallWhoseSchemaCannotBeLearnedAndAsksAgainOnTheNextCall() {
        try (McpSyncClient client = McpClients.sync(flaky.toString(), SUPPORT)) {
            McpResource.upstream().clearRecords();
            McpResource.upstream().failNext("tools/list", 1);

            // when the server cannot answer its tools/list, the call is refused and nothing is called
            JsonNode refused = problem(call(client, Map.of("q", "x")));
            assertEquals("upstream_unavailable", refused.path("reason").asText());
            assertTrue(refused.path("detail").asText().contains("could not be learned"), refused.toString());
            assertEquals(List.of("tools/list"), rpcMethods());
            assertEquals(0, McpResource.upstream().calls(LOOKUP));

            // and the failure was not kept as "no schema": the next call asks again, and the schema holds
            JsonNode invalid = problem(call(client, Map.of("q", "")));
            assertEquals("invalid_arguments", invalid.path("reason").asText());
            assertEquals(List.of("tools/list", "tools/list"), rpcMethods());
            CallToolResult ok = call(client, Map.of("q", "x"));
            assertNotEquals(Boolean.TRUE, ok.isError(), String.valueOf(ok));
            assertEquals(List.of("tools/list", "tools/list", "tools/call"), rpcMethods(),
                    "a learned schema is not asked for again within its time to live");
        }
    }
}
