package dev.toolgate.ingress.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.testing.McpResource;
import dev.toolgate.testing.McpUpstreamServer;
import dev.toolgate.testing.NodeMcpClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The official TypeScript SDK's client ({@code @modelcontextprotocol/sdk}, run by node) against toolgate in front of
 * the Java SDK's server: both SDKs meet through the gateway, and the TypeScript client sees the same filtering,
 * denials and streaming as the Java one.
 */
@QuarkusTest
@WithTestResource(McpResource.class)
class McpInteropTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/mcp/docs")
    URL docs;

    @TestHTTPResource("/mcp/offline")
    URL offline;

    private static JsonNode step(JsonNode run, int index) {
        JsonNode step = run.path("steps").path(index);
        assertFalse(step.isMissingNode(), run.toString());
        return step;
    }

    @Test
    void theTypeScriptClientWorksThroughTheGateway() throws Exception {
        String script = """
                [{"op":"listTools"},
                 {"op":"callTool","name":"search_docs","arguments":{"query":"interop","limit":1},
                  "meta":{"dev.toolgate/run_id":"ts-run-1"}},
                 {"op":"callTool","name":"hidden_admin","arguments":{}},
                 {"op":"callTool","name":"search_docs","arguments":{"query":"%s"},
                  "meta":{"dev.toolgate/run_id":"ts-run-1"}},
                 {"op":"callTool","name":"slow_report","arguments":{"steps":3},"progress":true},
                 {"op":"callTool","name":"delete_doc","arguments":{"id":"ts"},"meta":{"dev.toolgate/mode":"dry-run"}},
                 {"op":"ping"},
                 {"op":"sessionId"},
                 {"op":"terminate"}]
                """.formatted("x".repeat(41));
        int deletes = McpResource.upstream().calls(McpUpstreamServer.DELETE_DOC);
        JsonNode run = NodeMcpClient.run(docs.toString(), McpGatewayTest.SUPPORT, Map.of(), script);

        List<String> listed = new ArrayList<>();
        step(run, 0).path("result").path("names").forEach(n -> listed.add(n.asText()));
        assertEquals(List.of("search_docs", "delete_doc", "slow_report", "fail_tool"), listed, run.toString());

        JsonNode allowed = step(run, 1).path("result");
        assertFalse(allowed.path("isError").asBoolean(false), allowed.toString());
        assertEquals(1, allowed.path("structuredContent").path("hits").asInt(), allowed.toString());

        JsonNode hidden = step(run, 2).path("result");
        assertTrue(hidden.path("isError").asBoolean(), hidden.toString());
        assertEquals("tool_not_granted", hidden.path("structuredContent").path("reason").asText());

        JsonNode invalid = step(run, 3).path("result");
        assertEquals("invalid_arguments", invalid.path("structuredContent").path("reason").asText(), invalid.toString());

        JsonNode slow = step(run, 4);
        assertEquals("report done after 3 steps", slow.path("result").path("content").path(0).path("text").asText(),
                slow.toString());
        JsonNode progress = slow.path("progress");
        assertEquals(3, progress.size(), slow.toString());
        assertTrue(progress.get(2).path("atMs").asDouble() - progress.get(0).path("atMs").asDouble() >= 300,
                "the progress notifications came at once: " + progress);

        JsonNode proposal = step(run, 5).path("result").path("structuredContent");
        assertEquals("dry-run", proposal.path("mode").asText(), proposal.toString());
        assertEquals(deletes, McpResource.upstream().calls(McpUpstreamServer.DELETE_DOC));

        assertTrue(step(run, 6).path("ok").asBoolean(), run.toString());
        assertTrue(step(run, 7).path("result").path("sessionId").isTextual(), run.toString());
        assertTrue(step(run, 8).path("ok").asBoolean(), run.toString());
    }

    @Test
    void theTypeScriptClientSeesOnlyWhatItsAgentMay() {
        JsonNode run = NodeMcpClient.run(docs.toString(), McpGatewayTest.READER, Map.of(), """
                [{"op":"listTools"}, {"op":"listResources"}, {"op":"callTool","name":"delete_doc","arguments":{"id":"x"}}]
                """);
        assertEquals("[\"search_docs\"]", step(run, 0).path("result").path("names").toString());
        assertFalse(run.path("serverCapabilities").has("resources"), run.toString());
        assertFalse(step(run, 1).path("ok").asBoolean(), run.toString());
        assertEquals("tool_not_granted",
                step(run, 2).path("result").path("structuredContent").path("reason").asText(), run.toString());
    }

    @Test
    void theTypeScriptClientLearnsWhyItWasRefused() {
        JsonNode unknown = NodeMcpClient.run(docs.toString(), "not-a-key", Map.of(), "[{\"op\":\"ping\"}]");
        assertEquals(401, unknown.path("connectError").path("httpStatus").asInt(), unknown.toString());

        JsonNode down = NodeMcpClient.run(offline.toString(), McpGatewayTest.SUPPORT, Map.of(), "[{\"op\":\"ping\"}]");
        JsonNode error = down.path("connectError");
        assertEquals(-32010, error.path("code").asInt(), down.toString());
        assertEquals("upstream_unavailable", error.path("data").path("reason").asText(), down.toString());
    }
}
