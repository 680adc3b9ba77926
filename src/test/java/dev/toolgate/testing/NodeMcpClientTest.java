package dev.toolgate.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@link NodeMcpClient} and client.mjs against selfcheck-server.mjs, a TypeScript-SDK server: every operation the
 * interop tests rely on works, progress notifications stream before the result, the bearer token and the extra headers
 * go with every request (POST, the GET stream, DELETE), and a refused connection is a {@code connectError}.
 */
class NodeMcpClientTest {

    private static final String TOKEN = "selfcheck-token";
    private static NodeMcpServer server;
    private static String base;

    @BeforeAll
    static void startServer() throws Exception {
        server = NodeMcpServer.start(Map.of("TOKEN", TOKEN));
        base = server.base();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyOperationWorksOnOneSession() throws Exception {
        JsonNode out = NodeMcpClient.run(base + "/mcp/docs", TOKEN, Map.of("Toolgate-Mode", "dry-run"), """
                [{"op":"listTools"},
                 {"op":"callTool","name":"echo","arguments":{"text":"hi"}},
                 {"op":"callTool","name":"slow","progress":true,"meta":{"trace":"t-1"}},
                 {"op":"readResource","uri":"selfcheck://readme"},
                 {"op":"readResource","uri":"selfcheck://missing"},
                 {"op":"sessionId"},
                 {"op":"terminate"}]
                """);

        JsonNode steps = out.get("steps");
        assertEquals(7, steps.size(), out::toPrettyString);
        for (int i = 0; i < steps.size(); i++) {
            int step = i;
            assertEquals(step != 4, steps.get(step).get("ok").asBoolean(), () -> "step " + step + " of " + out);
        }

        JsonNode tools = steps.get(0).get("result");
        assertEquals(List.of("echo", "slow"), texts(tools.get("names")));
        assertEquals(2, tools.get("pages").size(), "the server serves one tool a page; the client follows nextCursor");

        assertEquals("hi", steps.get(1).at("/result/content/0/text").asText());

        JsonNode slow = steps.get(2);
        assertEquals("done", slow.at("/result/content/0/text").asText());
        JsonNode progress = slow.get("progress");
        assertEquals(3, progress.size(), slow::toPrettyString);
        double result = slow.get("elapsedMs").asDouble();
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, progress.get(i).get("progress").asInt());
            assertEquals(3, progress.get(i).get("total").asInt());
            assertTrue(progress.get(i).get("atMs").asDouble() < result, slow::toPrettyString);
        }
        // streamed as they were sent, 200 ms apart, not delivered together with the result
        assertTrue(progress.get(2).get("atMs").asDouble() - progress.get(0).get("atMs").asDouble() >= 300,
                slow::toPrettyString);
        assertTrue(result - progress.get(0).get("atMs").asDouble() >= 450, slow::toPrettyString);

        assertEquals("toolgate selfcheck resource", steps.get(3).at("/result/contents/0/text").asText());
        JsonNode missing = steps.get(4).get("error");
        assertEquals("McpError", missing.get("name").asText());
        assertEquals(-32602, missing.get("code").asInt());

        String sessionId = steps.get(5).at("/result/sessionId").asText();
        assertFalse(sessionId.isBlank(), out::toPrettyString);
        assertEquals(sessionId, steps.get(6).at("/result/sessionIdBefore").asText());
        assertTrue(steps.get(6).at("/result/sessionIdAfter").isNull());

        assertEquals("toolgate-selfcheck", out.at("/serverVersion/name").asText());
        assertFalse(out.get("protocolVersion").asText().isBlank(), out::toPrettyString);
        assertEquals(0, out.get("transportErrors").size(), out::toPrettyString);

        // what reached the server (only this test uses /mcp/docs): the token and the extra header on every request,
        // the session id and the negotiated protocol version on every one after initialize
        List<JsonNode> requests = new ArrayList<>();
        serverLog().forEach(request -> {
            if (request.get("path").asText().equals("/mcp/docs")) {
                requests.add(request);
            }
        });
        assertEquals("initialize", requests.get(0).at("/rpc/0").asText(), requests::toString);
        List<String> methods = requests.stream().map(r -> r.get("method").asText()).distinct().sorted().toList();
        assertEquals(List.of("DELETE", "GET", "POST"), methods, requests::toString);
        for (JsonNode request : requests) {
            assertEquals("Bearer " + TOKEN, request.get("authorization").asText(), request::toString);
            assertEquals("dry-run", request.at("/extra/toolgate-mode").asText(), request::toString);
        }
        for (JsonNode request : requests.subList(1, requests.size())) {
            assertEquals(sessionId, request.get("mcpSessionId").asText(), request::toString);
            assertEquals(out.get("protocolVersion").asText(), request.get("mcpProtocolVersion").asText(),
                    request::toString);
        }
    }

    @Test
    void aWrongTokenFailsTheConnection() {
        JsonNode out = NodeMcpClient.run(base + "/mcp", "wrong", null, "[{\"op\":\"ping\"}]");
        assertEquals(401, out.at("/connectError/httpStatus").asInt(), out::toPrettyString);
        assertFalse(out.has("steps"), out::toPrettyString);
    }

    @Test
    void aClosedPortIsAConnectError() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        JsonNode out = NodeMcpClient.run("http://127.0.0.1:" + port + "/mcp/docs", TOKEN, Map.of(),
                "[{\"op\":\"listTools\"}]");
        JsonNode error = out.get("connectError");
        assertTrue(error != null && error.isObject(), out::toPrettyString);
        assertFalse(error.get("message").asText().isBlank(), out::toPrettyString);
        assertEquals("ECONNREFUSED", error.at("/cause/code").asText(), out::toPrettyString);
        assertFalse(out.has("steps"), out::toPrettyString);
    }

    @Test
    void aBadScriptIsAnAssertionError() {
        AssertionError error = assertThrows(AssertionError.class,
                () -> NodeMcpClient.run(base + "/mcp", TOKEN, null, "[{\"op\":\"nope\"}]"));
        assertTrue(error.getMessage().contains("unknown op"), error.getMessage());
    }

    private static JsonNode serverLog() throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/requests")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            return new ObjectMapper().readTree(response.body());
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
