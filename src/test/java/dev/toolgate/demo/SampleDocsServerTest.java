package dev.toolgate.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.toolgate.testing.McpClients;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Vertx;

/** The demo's MCP server speaks MCP as the official Java SDK's client expects it. */
class SampleDocsServerTest {

    private static Vertx vertx;
    private static SampleDocsServer server;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = SampleDocsServer.start(vertx, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        vertx.close();
    }

    @Test
    void listsAndCallsItsTools() {
        try (McpSyncClient client = McpClients.sync("http://127.0.0.1:" + server.port() + "/mcp", null)) {
            assertEquals(List.of("search_docs", "delete_doc", "admin_reset"),
                    client.listTools().tools().stream().map(McpSchema.Tool::name).toList());
            McpSchema.CallToolResult found = client.callTool(new McpSchema.CallToolRequest("search_docs",
                    Map.of("query", "refunds")));
            assertEquals("3 documents match \"refunds\"", ((McpSchema.TextContent) found.content().get(0)).text());
            assertEquals(Map.of("dev.toolgate/cost_usd_micros", 500), found.meta());
            client.ping();
            assertThrows(Exception.class,
                    () -> client.callTool(new McpSchema.CallToolRequest("nothing", Map.of())));
        }
    }
}
