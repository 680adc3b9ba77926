package dev.toolgate.ingress.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.ingress.http.RawHttp;
import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.BadBodies;
import dev.toolgate.testing.McpResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An MCP message is read as strictly as every other client's JSON: each bad body is a JSON-RPC error (parse error, or
 * invalid request for a media type) carrying the problem document, audited, and never reaches the server.
 */
@QuarkusTest
@WithTestResource(McpResource.class)
class McpStrictBodiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void refusesEveryBadBodyBeforeTheServerSeesIt() throws IOException {
        String call = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + McpHttp.VERSION + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"strict\",\"version\":\"1\"}}}";
        for (BadBodies.BadBody bad : BadBodies.of(call)) {
            RawHttp.Answer answer = RawHttp.post("/mcp/docs", McpHttp.SUPPORT, bad.contentType(), bad.bytes(),
                    "Accept: application/json, text/event-stream");
            assertEquals(bad.status(), answer.status(), bad + ": " + answer.body());
            JsonNode error = JSON.readTree(answer.body()).path("error");
            assertEquals(bad.status() == 415 ? JsonRpc.INVALID_REQUEST : JsonRpc.PARSE_ERROR, error.path("code").asInt(),
                    bad + ": " + answer.body());
            assertEquals(bad.reason(), error.path("data").path("reason").asText(), bad + ": " + answer.body());
            assertEquals(answer.decisionId(), error.path("data").path("decision_id").asText(), bad.toString());
            JsonNode record = AuditRecords.await(McpResource.auditFile(), answer.decisionId(), 1).get(0);
            assertEquals(bad.reason(), record.path("reason").asText(), bad.toString());
            assertTrue(answer.headers().get("mcp-session-id") == null, "no session was opened: " + bad);
        }
    }
}
