package dev.toolgate.ingress.mcp;

import static io.restassured.RestAssured.given;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Raw Streamable HTTP exchanges with the gateway, for what an SDK client would never send. */
final class McpHttp {

    static final String SUPPORT = "Bearer mcp-support-key";
    static final String READER = "Bearer mcp-reader-key";
    static final String VAULT = "Bearer mcp-vault-key";
    static final String GLOBEX = "Bearer mcp-globex-key";
    static final String ADMIN = "Bearer mcp-admin-key";
    static final String LIBRARIAN = "Bearer mcp-librarian-key";
    static final String VERSION = "2025-06-18";

    private static final ObjectMapper JSON = new ObjectMapper();

    private McpHttp() {
    }

    static RequestSpecification request(String auth, String session) {
        RequestSpecification spec = given().header("Accept", "application/json, text/event-stream")
                .contentType("application/json");
        if (auth != null) {
            spec = spec.header("Authorization", auth);
        }
        if (session != null) {
            spec = spec.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION);
        }
        return spec;
    }

    static Response post(String server, String auth, String session, String body) {
        return request(auth, session).body(body).post("/mcp/" + server);
    }

    static String initialize(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + VERSION + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw-test\",\"version\":\"1\"}}}";
    }

    static String request(int id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    /** Opens a session as the caller: initialize, then the initialized notification; returns the session id. */
    static String open(String server, String auth) {
        Response init = post(server, auth, null, initialize(1));
        init.then().statusCode(200);
        String session = init.header("Mcp-Session-Id");
        if (session == null) {
            throw new AssertionError("the initialize answer has no Mcp-Session-Id: " + init.asString());
        }
        post(server, auth, session, INITIALIZED).then().statusCode(202);
        return session;
    }

    /** The JSON-RPC messages of an answer, whether it came as JSON or as a stream of events. */
    static List<JsonNode> messages(Response response) {
        String type = response.contentType() == null ? "" : response.contentType();
        String body = response.asString();
        List<JsonNode> messages = new ArrayList<>();
        try {
            if (type.startsWith("text/event-stream")) {
                StringBuilder data = new StringBuilder();
                for (String line : body.split("\r\n|\r|\n", -1)) {
                    if (line.startsWith("data:")) {
                        data.append(line.substring(5).strip());
                    } else if (line.isEmpty() && data.length() > 0) {
                        messages.add(JSON.readTree(data.toString()));
                        data.setLength(0);
                    }
                }
            } else if (!body.isBlank()) {
                messages.add(JSON.readTree(body));
            }
        } catch (Exception e) {
            throw new AssertionError("not JSON-RPC: " + body, e);
        }
        return messages;
    }

    /** The answer to request {@code id}. */
    static JsonNode answer(Response response, int id) {
        return messages(response).stream().filter(m -> m.path("id").asInt(-1) == id && !m.has("method"))
                .findFirst().orElseThrow(() -> new AssertionError("no answer to " + id + ": " + response.asString()));
    }

    static Map<String, String> headers(String... pairs) {
        Map<String, String> headers = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.put(pairs[i], pairs[i + 1]);
        }
        return headers;
    }
}
