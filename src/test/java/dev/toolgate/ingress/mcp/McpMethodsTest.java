package dev.toolgate.ingress.mcp;

import static dev.toolgate.ingress.mcp.McpHttp.ADMIN;
import static dev.toolgate.ingress.mcp.McpHttp.LIBRARIAN;
import static dev.toolgate.ingress.mcp.McpHttp.open;
import static dev.toolgate.ingress.mcp.McpHttp.post;
import static dev.toolgate.ingress.mcp.McpHttp.request;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Every MCP message that reaches a server went through the pipeline: resources, prompts, completions, notifications,
 * pings and the server's stream are calls, stopped by kill switches, decided by the policy and audited.
 */
@QuarkusTest
@WithTestResource(McpResource.class)
class McpMethodsTest {

    /** Requests of the methods besides tools/call that a librarian-bot (resources/* and prompts/*) may send. */
    private static final Map<String, String> REQUESTS = Map.of(
            "resources/read", "{\"uri\":\"" + McpUpstreamServer.README_URI + "\"}",
            "resources/list", "{}",
            "resources/templates/list", "{}",
            "prompts/get", "{\"name\":\"" + McpUpstreamServer.PROMPT + "\",\"arguments\":{\"text\":\"t\"}}",
            "prompts/list", "{}",
            "completion/complete", "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"summarize\"},"
                    + "\"argument\":{\"name\":\"text\",\"value\":\"t\"}}",
            "ping", "{}");

    private static final List<String> NOTIFICATIONS = List.of(
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}");

    /** The JSON-RPC methods that reached the server. */
    private static List<String> reached() {
        return McpResource.upstream().exchanges().stream().filter(e -> e.method().equals("POST"))
                .map(McpUpstreamServer.HttpExchange::rpcMethod).toList();
    }

    /** A refusal with this reason, and its one denied record, naming the server. */
    private static void assertRefused(Response response, int status, String reason) {
        response.then().statusCode(status);
        assertEquals(reason, response.jsonPath().getString("error.data.reason"), response.asString());
        JsonNode denied = AuditRecords.denied(McpResource.auditFile(), response.header("Toolgate-Decision-Id"));
        assertEquals(reason, denied.path("reason").asText());
        assertEquals("mcp", denied.path("protocol").asText());
    }

    @Test
    void passesResourcesAndPromptsThroughThePipelineAndAuditsThem() {
        String session = open("docs", LIBRARIAN);
        McpResource.upstream().clearRecords();

        Response read = post("docs", LIBRARIAN, session, request(2, "resources/read", REQUESTS.get("resources/read")));
        read.then().statusCode(200);
        assertTrue(read.asString().contains(McpUpstreamServer.README_TEXT), read.asString());
        Response prompt = post("docs", LIBRARIAN, session, request(3, "prompts/get", REQUESTS.get("prompts/get")));
        assertTrue(prompt.asString().contains("Summarize: t"), prompt.asString());

        assertEquals(List.of("resources/read", "prompts/get"), reached());
        List<JsonNode> records = AuditRecords.await(McpResource.auditFile(), read.header("Toolgate-Decision-Id"), 2);
        assertEquals("intent", records.get(0).path("type").asText());
        assertEquals("docs", records.get(0).path("tool").asText());
        assertEquals("resources/read", records.get(0).path("action").asText());
        assertEquals("ok", records.get(1).path("status").asText());
    }

    @Test
    void letsNothingOfAnAgentThroughUnderAKillSwitch() {
        String session = open("docs", LIBRARIAN);
        given().header("Authorization", ADMIN).contentType("application/json").body("{\"reason\":\"incident 31\"}")
                .put("/admin/kill-switches/agent/librarian-bot").then().statusCode(200);
        try {
            McpResource.upstream().clearRecords();
            int id = 10;
            for (Map.Entry<String, String> method : REQUESTS.entrySet()) {
                Response refused = post("docs", LIBRARIAN, session, request(id++, method.getKey(), method.getValue()));
                assertRefused(refused, 200, "kill_switch");
            }
            for (String notification : NOTIFICATIONS) {
                assertRefused(post("docs", LIBRARIAN, session, notification), 403, "kill_switch");
            }
            // the server's own stream is not opened either
            assertRefused(request(LIBRARIAN, session).get("/mcp/docs"), 403, "kill_switch");
            assertEquals(List.of(), reached(), "nothing reached the server");
            assertTrue(McpResource.upstream().exchanges().stream().noneMatch(e -> e.method().equals("GET")));
        } finally {
            given().header("Authorization", ADMIN).delete("/admin/kill-switches/agent/librarian-bot").then()
                    .statusCode(200);
        }
    }

    @Test
    void refusesEveryMethodThePolicyDenies() {
        // the bundled policy keeps the vault (data class secrets) from agents without the secrets-reader role
        McpResource.upstream().clearRecords();
        int id = 30;
        for (Map.Entry<String, String> method : REQUESTS.entrySet()) {
            assertRefused(post("vault", LIBRARIAN, null, request(id++, method.getKey(), method.getValue())), 200,
                    "policy_denied");
        }
        for (String notification : NOTIFICATIONS) {
            assertRefused(post("vault", LIBRARIAN, null, notification), 403, "policy_denied");
        }
        assertRefused(post("vault", LIBRARIAN, null, McpHttp.initialize(40)), 200, "policy_denied");
        assertEquals(List.of(), reached(), "nothing reached the server");
    }

    @Test
    void refusesANotificationNamingAMethodThatNeedsAnAnswer() {
        String session = open("docs", LIBRARIAN);
        McpResource.upstream().clearRecords();
        Response call = post("docs", LIBRARIAN, session,
                "{\"jsonrpc\":\"2.0\",\"method\":\"resources/read\",\"params\":{\"uri\":\"docs://readme\"}}");
        call.then().statusCode(400);
        assertEquals(-32600, call.jsonPath().getInt("error.code"));
        Response answered = post("docs", LIBRARIAN, session,
                "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"notifications/initialized\"}");
        answered.then().statusCode(400);
        assertEquals(List.of(), reached());
    }
}
