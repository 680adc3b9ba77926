package dev.toolgate.ingress.mcp;

import static dev.toolgate.ingress.mcp.McpHttp.READER;
import static dev.toolgate.ingress.mcp.McpHttp.SUPPORT;
import static dev.toolgate.ingress.mcp.McpHttp.answer;
import static dev.toolgate.ingress.mcp.McpHttp.initialize;
import static dev.toolgate.ingress.mcp.McpHttp.open;
import static dev.toolgate.ingress.mcp.McpHttp.post;
import static dev.toolgate.ingress.mcp.McpHttp.request;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.McpResource;
import dev.toolgate.testing.McpUpstreamServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The Streamable HTTP transport at {@code /mcp/{server}}, with raw requests: identity, server grants, sessions bound to
 * their principal, the protocol version, one JSON-RPC message per POST, and methods refused by default.
 */
@QuarkusTest
@WithTestResource(McpResource.class)
class McpTransportTest {

    @Test
    void refusesACallerWithoutCredentials() {
        Response response = post("docs", null, null, initialize(1));
        response.then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
                .body("error.code", equalTo(-32010)).body("error.data.reason", equalTo("unauthenticated"))
                .body("id", nullValue());
        List<JsonNode> records = AuditRecords.await(McpResource.auditFile(),
                response.header("Toolgate-Decision-Id"), 1);
        assertEquals("unauthenticated", records.get(0).path("reason").asText());
    }

    @Test
    void refusesAWrongKeyAndTwoAuthorizationHeaders() {
        post("docs", "Bearer nope", null, initialize(1)).then().statusCode(401)
                .body("error.data.reason", equalTo("unauthenticated"));
        request(SUPPORT, null).header("Authorization", READER).body(initialize(1)).post("/mcp/docs").then()
                .statusCode(401).body("error.data.reason", equalTo("unauthenticated"));
    }

    @Test
    void answersAnUngrantedServerLikeAnUnknownOne() {
        Response ungranted = post("payments", READER, null, initialize(1));
        Response unknown = post("nowhere", READER, null, initialize(1));
        ungranted.then().statusCode(404).body("error.data.reason", equalTo("tool_not_granted"));
        unknown.then().statusCode(404).body("error.data.reason", equalTo("tool_not_granted"));
        assertEquals(ungranted.jsonPath().getString("error.data.detail").replace("payments", "X"),
                unknown.jsonPath().getString("error.data.detail").replace("nowhere", "X"));
        post("docs/deeper", SUPPORT, null, initialize(1)).then().statusCode(404);
    }

    @Test
    void refusesWhatIsNotOneJsonRpcMessage() {
        post("docs", SUPPORT, null, "{\"jsonrpc\":").then().statusCode(400).body("error.code", equalTo(-32700));
        post("docs", SUPPORT, null, "[" + initialize(1) + "]").then().statusCode(400)
                .body("error.code", equalTo(-32600)).body("error.message", containsString("2025-06-18"));
        post("docs", SUPPORT, null, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}").then().statusCode(400)
                .body("error.code", equalTo(-32600));
        post("docs", SUPPORT, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"method\":\"tools/list\"}")
                .then().statusCode(400).body("error.code", equalTo(-32700))
                .body("error.data.detail", containsString("duplicate"));
        post("docs", SUPPORT, null, "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}").then()
                .statusCode(400).body("error.code", equalTo(-32600));
        request(SUPPORT, null).contentType("text/plain").body(initialize(1)).post("/mcp/docs").then()
                .statusCode(415).body("error.code", equalTo(-32600));
    }

    @Test
    void refusesAnUnsupportedProtocolVersion() {
        request(SUPPORT, null).header("MCP-Protocol-Version", "1999-01-01").body(initialize(1)).post("/mcp/docs")
                .then().statusCode(400).body("error.data.detail", containsString("1999-01-01"));
    }

    @Test
    void refusesRoutingHeadersThatDisagreeWithTheBody() {
        request(SUPPORT, null).header("Mcp-Method", "ping").body(request(3, "tools/call",
                "{\"name\":\"search_docs\",\"arguments\":{\"query\":\"x\"}}")).post("/mcp/docs").then()
                .statusCode(400).body("error.data.detail", containsString("Mcp-Method"));
        request(SUPPORT, null).header("Mcp-Method", "tools/call").header("Mcp-Name", "search_docs")
                .body(request(3, "tools/call", "{\"name\":\"delete_doc\",\"arguments\":{\"id\":\"d1\"}}"))
                .post("/mcp/docs").then().statusCode(400).body("error.data.detail", containsString("Mcp-Name"));
    }

    @Test
    void refusesAForeignOrigin() {
        request(SUPPORT, null).header("Origin", "https://evil.example").body(initialize(1)).post("/mcp/docs")
                .then().statusCode(403).body("error.code", equalTo(-32600));
    }

    @Test
    void allowsOnlyPostGetAndDelete() {
        request(SUPPORT, null).body(initialize(1)).put("/mcp/docs").then().statusCode(405)
                .header("Allow", "GET, POST, DELETE");
    }

    @Test
    void refusesABodyOverTheLimit() {
        String big = "x".repeat(20_000);
        post("docs", SUPPORT, null, request(1, "tools/call",
                "{\"name\":\"search_docs\",\"arguments\":{\"query\":\"" + big + "\"}}")).then().statusCode(413)
                .body("error.data.reason", equalTo("payload_too_large"));
    }

    @Test
    void bindsASessionToThePrincipalThatOpenedIt() {
        String session = open("docs", SUPPORT);
        Response own = post("docs", SUPPORT, session, request(2, "tools/list", "{}"));
        own.then().statusCode(200);
        assertTrue(answer(own, 2).path("result").path("tools").isArray());

        // another agent of the same tenant, and one of another tenant, present the id: both look like an unknown one
        Response hijack = post("docs", READER, session, request(2, "tools/list", "{}"));
        hijack.then().statusCode(404).body("error.code", equalTo(-32001)).body("error.data.status", equalTo(404));
        Response foreign = post("docs", McpHttp.GLOBEX, session, request(2, "tools/list", "{}"));
        foreign.then().statusCode(404).body("error.code", equalTo(-32001));
        Response unknown = post("docs", READER, "no-such-session", request(2, "tools/list", "{}"));
        unknown.then().statusCode(404);
        assertEquals(hijack.jsonPath().getString("error.message"), unknown.jsonPath().getString("error.message"));

        // the upstream never saw the hijacker's requests, nor any caller's credentials
        assertTrue(McpResource.upstream().requestHeaders().stream()
                .noneMatch(h -> h.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("authorization"))));
    }

    @Test
    void endsASessionWithDelete() {
        String session = open("docs", SUPPORT);
        request(SUPPORT, null).delete("/mcp/docs").then().statusCode(400);
        request(READER, session).delete("/mcp/docs").then().statusCode(404);
        int ended = request(SUPPORT, session).delete("/mcp/docs").then().extract().statusCode();
        assertTrue(ended / 100 == 2 || ended == 405, "DELETE answered " + ended);
        if (ended / 100 == 2) {
            post("docs", SUPPORT, session, request(2, "tools/list", "{}")).then().statusCode(404);
        }
    }

    @Test
    void hidesCapabilitiesTheCallerHasNoGrantOf() {
        JsonNode reader = answer(post("docs", READER, null, initialize(1)), 1).path("result").path("capabilities");
        assertFalse(reader.has("resources"), reader.toString());
        assertFalse(reader.has("prompts"), reader.toString());
        assertTrue(reader.has("tools"), reader.toString());
        JsonNode support = answer(post("docs", SUPPORT, null, initialize(1)), 1).path("result").path("capabilities");
        assertTrue(support.has("resources"), support.toString());
        assertFalse(support.has("prompts"), support.toString());
    }

    @Test
    void refusesResourcesAndPromptsWithoutTheirGrant() {
        String reader = open("docs", READER);
        Response resources = post("docs", READER, reader, request(4, "resources/list", "{}"));
        resources.then().statusCode(200).body("error.code", equalTo(-32010))
                .body("error.data.reason", equalTo("tool_not_granted"));
        String support = open("docs", SUPPORT);
        Response listed = post("docs", SUPPORT, support, request(4, "resources/list", "{}"));
        assertEquals("docs://readme",
                answer(listed, 4).path("result").path("resources").path(0).path("uri").asText(), listed.asString());
        post("docs", SUPPORT, support, request(5, "prompts/list", "{}")).then().statusCode(200)
                .body("error.data.reason", equalTo("tool_not_granted"));
    }

    @Test
    void refusesMethodsItDoesNotKnow() {
        String session = open("docs", SUPPORT);
        post("docs", SUPPORT, session, request(6, "sampling/createMessage", "{}")).then().statusCode(200)
                .body("error.code", equalTo(-32601)).body("id", equalTo(6));
        post("docs", SUPPORT, session, request(7, "tools/call", "{\"arguments\":{}}")).then().statusCode(200)
                .body("error.code", equalTo(-32602));
        Response ping = post("docs", SUPPORT, session, request(8, "ping", "{}"));
        assertTrue(answer(ping, 8).has("result"), ping.asString());
    }

    @Test
    void answersAnUnreachableServerWithAJsonRpcError() {
        Response response = post("offline", SUPPORT, null, initialize(9));
        response.then().statusCode(200).body("id", equalTo(9)).body("error.code", equalTo(-32010))
                .body("error.data.reason", equalTo("upstream_unavailable"));
        Map<String, Object> data = response.jsonPath().getMap("error.data");
        assertTrue(data.containsKey("decision_id"), data.toString());
    }

    @Test
    void answersAToolCallToAnUnreachableServerAsAnErrorResult() {
        Response response = post("offline", SUPPORT, null, request(10, "tools/call",
                "{\"name\":\"search_docs\",\"arguments\":{\"query\":\"q\"}}"));
        response.then().statusCode(200).body("id", equalTo(10)).body("result.isError", equalTo(true))
                .body("result.structuredContent.reason", equalTo("upstream_unavailable"));
    }

    @Test
    void keepsTheServersPagesWhileFilteringThem() {
        // the TypeScript SDK's server lists echo on the first page and slow on the second; the contract names slow
        String session = open("paged", SUPPORT);
        JsonNode first = answer(post("paged", SUPPORT, session, request(2, "tools/list", "{}")), 2).path("result");
        assertEquals(0, first.path("tools").size(), first.toString());
        assertTrue(first.path("nextCursor").isTextual(), first.toString());
        JsonNode second = answer(post("paged", SUPPORT, session, request(3, "tools/list",
                "{\"cursor\":\"" + first.path("nextCursor").asText() + "\"}")), 3).path("result");
        assertEquals("slow", second.path("tools").path(0).path("name").asText(), second.toString());
        assertEquals(1, second.path("tools").size(), second.toString());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void passesTheServersOwnStreamOnGet() throws Exception {
        String session = open("docs", SUPPORT);
        request(READER, session).get("/mcp/docs").then().statusCode(404).body("error.code", equalTo(-32001));

        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest get = java.net.http.HttpRequest
                .newBuilder(java.net.URI.create(io.restassured.RestAssured.baseURI + ":"
                        + io.restassured.RestAssured.port + "/mcp/docs"))
                .header("Authorization", SUPPORT).header("Accept", "text/event-stream")
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", McpHttp.VERSION).GET().build();
        // the server sends the head of its stream with its first event: a tool it adds is announced on the stream
        java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<java.util.stream.Stream<String>>> pending = http
                .sendAsync(get, java.net.http.HttpResponse.BodyHandlers.ofLines());
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        java.net.http.HttpResponse<java.util.stream.Stream<String>> stream = null;
        while (stream == null && System.nanoTime() < until) {
            McpResource.upstream().addTool("announced_" + System.nanoTime());
            try {
                stream = pending.get(500, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException notYet) {
                // the stream was not open at the server yet when the tool was added: add another
            }
        }
        if (stream == null) {
            pending.cancel(true);
            throw new AssertionError("the GET stream never opened");
        }
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        java.util.stream.Stream<String> body = stream.body();
        Thread reader = Thread.ofVirtual().start(() -> body.forEach(lines::add));
        try {
            boolean announced = false;
            while (!announced && System.nanoTime() < until) {
                String line = lines.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                announced = line != null && line.contains("notifications/tools/list_changed");
            }
            assertTrue(announced, "no list_changed notification on the GET stream");
        } finally {
            body.close();
            reader.interrupt();
        }
    }

    @Test
    void refusesMalformedToolCallParamsAsErrorResults() {
        String session = open("docs", SUPPORT);
        int before = McpResource.upstream().calls("search_docs");
        post("docs", SUPPORT, session, request(11, "tools/call", "{\"name\":\"search_docs\",\"arguments\":[1,2]}"))
                .then().statusCode(200).body("result.isError", equalTo(true))
                .body("result.structuredContent.reason", equalTo("invalid_arguments"));
        post("docs", SUPPORT, session, request(12, "tools/call",
                "{\"name\":\"search_docs\",\"arguments\":{\"query\":\"q\"},\"_meta\":\"dry-run\"}")).then()
                .statusCode(200).body("result.structuredContent.reason", equalTo("invalid_arguments"))
                .body("result.structuredContent.detail", containsString("_meta"));
        request(SUPPORT, session).header("Toolgate-Mode", "enforce").body(request(13, "tools/call",
                "{\"name\":\"search_docs\",\"arguments\":{\"query\":\"q\"},"
                        + "\"_meta\":{\"dev.toolgate/mode\":\"dry-run\"}}"))
                .post("/mcp/docs").then().statusCode(200)
                .body("result.structuredContent.reason", equalTo("invalid_arguments"))
                .body("result.structuredContent.detail", containsString("disagree"));
        assertEquals(before, McpResource.upstream().calls("search_docs"));
    }

    @Test
    void forwardsTheMessageAsSentLessToolgatesOwnMeta() {
        String session = open("docs", SUPPORT);
        McpResource.upstream().clearRecords();
        String asSent = "{ \"jsonrpc\" : \"2.0\", \"id\" : 21, \"method\" : \"tools/call\", \"params\" : "
                + "{\"arguments\" : {\"query\" : \"exact bytes\"}, \"name\" : \"delete_doc\","
                + " \"_meta\" : {\"example.com/trace\" : \"t-1\"}} }";
        String withOurs = asSent.replace("\"id\" : 21", "\"id\" : 22")
                .replace("{\"example.com/trace\" : \"t-1\"}", "{\"example.com/trace\" : \"t-1\", "
                        + "\"dev.toolgate/run_id\" : \"run-bytes\"}");
        post("docs", SUPPORT, session, asSent.replace("\"query\"", "\"id\"")).then().statusCode(200);
        post("docs", SUPPORT, session, withOurs.replace("\"query\"", "\"id\"")).then().statusCode(200);
        List<String> bodies = McpResource.upstream().exchanges().stream()
                .filter(e -> "tools/call".equals(e.rpcMethod())).map(McpUpstreamServer.HttpExchange::body).toList();
        assertEquals(2, bodies.size(), bodies.toString());
        // nothing of toolgate's to remove: the server gets the very bytes the agent sent
        assertEquals(asSent.replace("\"query\"", "\"id\""), bodies.get(0));
        // toolgate's own member is gone, the agent's stays
        assertFalse(bodies.get(1).contains("dev.toolgate"), bodies.get(1));
        assertTrue(bodies.get(1).contains("example.com/trace"), bodies.get(1));
    }
}
