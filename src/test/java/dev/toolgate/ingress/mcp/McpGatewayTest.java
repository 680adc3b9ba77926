package dev.toolgate.ingress.mcp;

import static dev.toolgate.testing.McpUpstreamServer.DELETE_DOC;
import static dev.toolgate.testing.McpUpstreamServer.FAIL_TOOL;
import static dev.toolgate.testing.McpUpstreamServer.HIDDEN_ADMIN;
import static dev.toolgate.testing.McpUpstreamServer.SEARCH_DOCS;
import static dev.toolgate.testing.McpUpstreamServer.SLOW_REPORT;
import static dev.toolgate.testing.McpUpstreamServer.SLOW_REPORT_STEP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.McpClients;
import dev.toolgate.testing.McpResource;
import dev.toolgate.testing.McpUpstreamServer;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * toolgate in front of a real MCP server (the Java SDK's, {@link McpUpstreamServer}), called by the Java SDK's
 * client: {@code tools/list} filtered per agent, {@code tools/call} through every stage, each denial as an
 * {@code isError} result carrying the problem, streamed answers passed through as they come.
 */
abstract class McpGatewayTest {

    static final String SUPPORT = "mcp-support-key";
    static final String READER = "mcp-reader-key";
    static final String VAULT = "mcp-vault-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/mcp/docs")
    URL docs;

    @TestHTTPResource("/mcp/payments")
    URL payments;

    @TestHTTPResource("/mcp/vault")
    URL vault;

    @TestHTTPResource("/mcp/offline")
    URL offline;

    private static List<String> names(McpSyncClient client) {
        return client.listTools().tools().stream().map(Tool::name).toList();
    }

    private static CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(new CallToolRequest(tool, args));
    }

    private static CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args,
            Map<String, Object> meta) {
        return client.callTool(CallToolRequest.builder().name(tool).arguments(args).meta(meta).build());
    }

    /** The problem document of a denial, from the structured content (the text holds the same JSON). */
    private static JsonNode problem(CallToolResult result) throws Exception {
        assertEquals(Boolean.TRUE, result.isError(), String.valueOf(result));
        JsonNode structured = JSON.valueToTree(result.structuredContent());
        String text = ((McpSchema.TextContent) result.content().get(0)).text();
        assertEquals(structured, JSON.readTree(text));
        return structured;
    }

    /** A fresh run: the contract's search budget counts per run. */
    private static Map<String, Object> run() {
        return Map.of("dev.toolgate/run_id", "run-" + UUID.randomUUID());
    }

    private static String text(CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    @Test
    void listsOnlyTheToolsEachAgentMayCall() {
        try (McpSyncClient support = McpClients.sync(docs.toString(), SUPPORT);
                McpSyncClient reader = McpClients.sync(docs.toString(), READER)) {
            assertEquals(List.of(SEARCH_DOCS, DELETE_DOC, SLOW_REPORT, FAIL_TOOL), names(support));
            assertEquals(List.of(SEARCH_DOCS), names(reader));
        }
    }

    @Test
    void refusesEverySessionMessageThePolicyDeniesTheAgent() {
        // the bundled policy keeps tools handling secrets from agents without the secrets-reader role: every message
        // to the server is a call the policy decides, so such an agent cannot even open a session
        McpResource.upstream().clearRecords();
        Exception refused = assertThrows(Exception.class, () -> McpClients.sync(vault.toString(), SUPPORT).close());
        String all = String.valueOf(refused) + " " + String.valueOf(refused.getCause());
        assertTrue(all.contains("policy_denied") || all.contains("Policy denied"), all);
        assertEquals(List.of(), McpResource.upstream().exchanges().stream().filter(e -> e.method().equals("POST"))
                .toList(), "no message reached the server");
        try (McpSyncClient reader = McpClients.sync(vault.toString(), VAULT)) {
            assertEquals(List.of(SEARCH_DOCS), names(reader));
        }
    }

    @Test
    void hidesToolsTheServerAddsLater() {
        McpResource.upstream().addTool("added_later");
        try (McpSyncClient support = McpClients.sync(docs.toString(), SUPPORT)) {
            assertTrue(!names(support).contains("added_later"));
            JsonNode denied = JSON.valueToTree(call(support, "added_later", Map.of()).structuredContent());
            assertEquals("tool_not_granted", denied.path("reason").asText());
        }
        assertEquals(0, McpResource.upstream().calls("added_later"));
    }

    @Test
    void forwardsAnAllowedCallAndAuditsIt() {
        int before = McpResource.upstream().calls(SEARCH_DOCS);
        try (McpSyncClient client = McpClients.sync(docs.toString(), SUPPORT)) {
            CallToolResult result = call(client, SEARCH_DOCS, Map.of("query", "rate limits", "limit", 2), run());
            assertNotEquals(Boolean.TRUE, result.isError(), String.valueOf(result));
            assertEquals(Map.of("query", "rate limits", "hits", 2), result.structuredContent());
        }
        assertEquals(before + 1, McpResource.upstream().calls(SEARCH_DOCS));
        assertTrue(McpResource.upstream().requestHeaders().stream()
                .noneMatch(h -> h.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("authorization"))),
                "a credential reached the MCP server");
        // the intent record names the protocol and the action; the raw arguments stay out of it
        String decision = McpResource.upstream().requestHeaders().stream()
                .map(h -> h.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("toolgate-decision-id"))
                        .map(e -> e.getValue().get(0)).findFirst().orElse(null))
                .filter(id -> id != null).reduce((a, b) -> b).orElseThrow();
        List<JsonNode> records = AuditRecords.await(McpResource.auditFile(), decision, 2);
        assertEquals("intent", records.get(0).path("type").asText());
        assertEquals("mcp", records.get(0).path("protocol").asText());
        assertEquals(SEARCH_DOCS, records.get(0).path("action").asText());
        assertEquals("outcome", records.get(1).path("type").asText());
        assertEquals("ok", records.get(1).path("status").asText());
    }

    @Test
    void refusesAToolTheContractDoesNotName() throws Exception {
        try (McpSyncClient client = McpClients.sync(docs.toString(), SUPPORT)) {
            JsonNode problem = problem(call(client, HIDDEN_ADMIN, Map.of()));
            assertEquals("tool_not_granted", problem.path("reason").asText());
            assertTrue(!problem.path("detail").asText().contains(HIDDEN_ADMIN), problem.toString());
            assertTrue(problem.path("decision_id").asText().length() > 10);
        }
        try (McpSyncClient reader = McpClients.sync(docs.toString(), READER)) {
            assertEquals("tool_not_granted", problem(call(reader, DELETE_DOC, Map.of("id", "d1"))).path("reason")
                    .asText());
        }
        assertEquals(0, McpResource.upstream().calls(HIDDEN_ADMIN));
    }

    @Test
    void asksTheServerForSchemasOnlyForToolsTheAgentMayCall() throws Exception {
        try (McpSyncClient client = McpClients.sync(docs.toString(), SUPPORT)) {
            McpResource.upstream().clearRecords();
            for (int i = 0; i < 3; i++) {
                problem(call(client, "no_such_tool_" + i, Map.of()));
                problem(call(client, HIDDEN_ADMIN, Map.of()));
            }
            // refused by the contract stage without a word to the server: no schema lookup, no call
            assertEquals(List.of(), McpResource.upstream().exchanges().stream()
                    .map(McpUpstreamServer.HttpExchange::rpcMethod).filter(m -> m != null).toList());
        }
    }

    @Test
    void refusesArgumentsAgainstTheContractsSchemaAndTheServers() throws Exception {
        try (McpSyncClient client = McpClients.sync(docs.toString(), SUPPORT)) {
            JsonNode tooLong = problem(call(client, SEARCH_DOCS, Map.of("query", "q".repeat(41))));
            assertEquals("invalid_arguments", tooLong.path("reason").asText());
            assertTrue(tooLong.path("errors").toString().contains("/query"), tooLong.toString());

            // the contract says nothing of limit; the server's inputSchema wants an integer
            JsonNode wrongType = problem(call(client, SEARCH_DOCS, Map.of("query", "q", "limit", "five")));
            assertEquals("invalid_arguments", wrongType.path("reason").asText());
            assertTrue(wrongType.path("errors").toString().contains("inputSchema /limit"), wrongType.toString());
        }
    }

    @Test
    void appliesThePolicyAndApprovalTiers() throws Exception {
        try (McpSyncClient client = McpClients.sync(payments.toString(), SUPPORT)) {
            JsonNode otherTenant = problem(call(client, McpResource.REFUNDS,
                    Map.of("amount_usd_micros", 1000, "tenant", "globex")));
            assertEquals("policy_denied", otherTenant.path("reason").asText());
            assertTrue(otherTenant.path("reasons").toString().contains("not the caller's tenant"));

            JsonNode large = problem(call(client, McpResource.REFUNDS,
                    Map.of("amount_usd_micros", 60_000_000, "tenant", "acme")));
            assertEquals("approval_required", large.path("reason").asText());
            assertEquals("required", large.path("approval_tier").asText());
            assertTrue(large.path("approval_id").isTextual(), large.toString());

            CallToolResult small = call(client, McpResource.REFUNDS, Map.of("amount_usd_micros", 1000, "tenant", "acme"));
            assertEquals("added " + McpResource.REFUNDS, text(small));
        }
    }

    @Test
    void redeemsAnApprovalGivenInMeta() throws Exception {
        Map<String, Object> refund = Map.of("amount_usd_micros", 70_000_000, "tenant", "acme");
        String run = "run-" + UUID.randomUUID();
        int before = McpResource.upstream().calls(McpResource.REFUNDS);
        try (McpSyncClient client = McpClients.sync(payments.toString(), SUPPORT)) {
            JsonNode held = problem(call(client, McpResource.REFUNDS, refund, Map.of("dev.toolgate/run_id", run)));
            String approval = held.path("approval_id").asText();
            io.restassured.RestAssured.given().header("Authorization", "Bearer mcp-approver-key")
                    .contentType("application/json").body("{}").post("/v1/approvals/" + approval + "/approve").then()
                    .statusCode(200);

            CallToolResult redeemed = call(client, McpResource.REFUNDS, refund,
                    Map.of("dev.toolgate/run_id", run, "dev.toolgate/approval", approval));
            assertEquals("added " + McpResource.REFUNDS, text(redeemed), String.valueOf(redeemed));
            // the approval was for one call: another one is refused
            JsonNode again = problem(call(client, McpResource.REFUNDS, refund,
                    Map.of("dev.toolgate/run_id", run, "dev.toolgate/approval", approval)));
            assertEquals("approval_invalid", again.path("reason").asText(), again.toString());
        }
        assertEquals(before + 1, McpResource.upstream().calls(McpResource.REFUNDS));
    }

    @Test
    void stopsARunAtItsBudgetSettlingAtTheReportedCost() throws Exception {
        Map<String, Object> run = Map.of("dev.toolgate/run_id", "run-" + UUID.randomUUID());
        try (McpSyncClient client = McpClients.sync(docs.toString(), SUPPORT)) {
            // cap 2400, estimate 1000, reported 700: a third call fits only when each settled at 700
            for (int i = 0; i < 3; i++) {
                CallToolResult result = call(client, SEARCH_DOCS, Map.of("query", "q" + i), run);
                assertNotEquals(Boolean.TRUE, result.isError(), String.valueOf(result));
            }
            JsonNode over = problem(call(client, SEARCH_DOCS, Map.of("query", "q3"), run));
            assertEquals("budget_exceeded", over.path("reason").asText());
        }
    }

    @Test
    void answersADryRunWithoutCallingTheTool() throws Exception {
        int before = McpResource.upstream().calls(DELETE_DOC);
        try (McpSyncClient client = McpClients.sync(docs.toString(), SUPPORT)) {
            CallToolResult proposal = call(client, DELETE_DOC, Map.of("id", "d9"), Map.of("dev.toolgate/mode", "dry-run"));
            assertNotEquals(Boolean.TRUE, proposal.isError());
            JsonNode doc = JSON.valueToTree(proposal.structuredContent());
            assertEquals("dry-run", doc.path("mode").asText());
            assertEquals(true, doc.path("would_forward").asBoolean());
            assertEquals(DELETE_DOC, doc.path("action").asText());

            JsonNode bad = problem(call(client, DELETE_DOC, Map.of("id", "d9"), Map.of("dev.toolgate/mode", "maybe")));
            assertEquals("invalid_arguments", bad.path("reason").asText());
        }
        try (McpSyncClient client = McpClients.sync(docs.toString(), SUPPORT, Map.of("Toolgate-Mode", "dry-run"))) {
            JsonNode doc = JSON.valueToTree(call(client, HIDDEN_ADMIN, Map.of()).structuredContent());
            assertEquals("deny", doc.path("decision").asText());
            assertEquals("tool_not_granted", doc.path("denial").path("reason").asText());
        }
        assertEquals(before, McpResource.upstream().calls(DELETE_DOC));
    }

    @Test
    void repeatsAnIdempotentCallFromItsRecord() {
        int before = McpResource.upstream().calls(DELETE_DOC);
        Map<String, Object> key = Map.of("dev.toolgate/idempotency_key", "delete-" + UUID.randomUUID());
        try (McpSyncClient client = McpClients.sync(docs.toString(), SUPPORT)) {
            CallToolResult first = call(client, DELETE_DOC, Map.of("id", "d7"), key);
            CallToolResult again = call(client, DELETE_DOC, Map.of("id", "d7"), key);
            assertEquals("deleted d7", text(first));
            assertEquals(text(first), text(again));
        }
        assertEquals(before + 1, McpResource.upstream().calls(DELETE_DOC));
    }

    @Test
    void passesALongAnswerThroughAsItStreams() {
        List<ProgressNotification> progress = new CopyOnWriteArrayList<>();
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = McpClients.to(docs.toString()).bearer(SUPPORT)
                .spec(spec -> spec.progressConsumer(p -> {
                    arrivals.add(System.nanoTime());
                    progress.add(p);
                })).initialized()) {
            CallToolResult result = client.callTool(CallToolRequest.builder().name(SLOW_REPORT)
                    .arguments(Map.of("steps", 4)).progressToken("report-1").build());
            long answered = System.nanoTime();
            assertEquals("report done after 4 steps", text(result));
            assertEquals(4, progress.size());
            long step = SLOW_REPORT_STEP.toNanos();
            assertTrue(answered - arrivals.get(0) >= 2 * step, "the first notification came with the result");
            assertTrue(arrivals.get(3) - arrivals.get(0) >= 2 * step, "the notifications came at once");
        }
    }

    @Test
    void answersAStreamedCallOnceItIsSettledAndRecordedNotWhenTheStreamEnds() throws Exception {
        String url = docs.toString().replace("/mcp/docs", "/mcp/lingering");
        try (McpSyncClient client = McpClients.sync(url, SUPPORT)) {
            long start = System.nanoTime();
            CallToolResult result = call(client, "echo", Map.of());
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals("lingered", text(result));
            // the server kept its stream open after answering: the agent did not wait for it to end
            assertTrue(tookMs < McpResource.LINGER_MS, "the answer waited for the stream's end: " + tookMs + " ms");
            // and the call was settled and recorded before the agent had its answer
            List<JsonNode> records = java.nio.file.Files.readAllLines(McpResource.auditFile()).stream()
                    .map(line -> {
                        try {
                            return JSON.readTree(line);
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }).filter(r -> "lingering".equals(r.path("tool").asText())).toList();
            assertEquals("outcome", records.get(records.size() - 1).path("type").asText(), records.toString());
        }
    }

    @Test
    void passesTheToolsOwnErrorsOn() {
        try (McpSyncClient client = McpClients.sync(docs.toString(), SUPPORT)) {
            CallToolResult failed = call(client, FAIL_TOOL, Map.of());
            assertEquals(Boolean.TRUE, failed.isError());
            assertEquals(McpUpstreamServer.FAIL_TOOL_TEXT, text(failed));
        }
    }

    @Test
    void passesResourcesOnlyWithTheirGrant() {
        try (McpSyncClient support = McpClients.sync(docs.toString(), SUPPORT);
                McpSyncClient reader = McpClients.sync(docs.toString(), READER)) {
            assertEquals(McpUpstreamServer.README_TEXT, ((McpSchema.TextResourceContents) support
                    .readResource(new McpSchema.ReadResourceRequest(McpUpstreamServer.README_URI)).contents().get(0))
                    .text());
            // the reader's initialize answer left out the resources capability, so its SDK does not even ask
            assertEquals(null, reader.getServerCapabilities().resources());
            Exception refused = assertThrows(Exception.class,
                    () -> reader.readResource(new McpSchema.ReadResourceRequest(McpUpstreamServer.README_URI)));
            assertTrue(String.valueOf(refused.getMessage()).contains("resources"), refused.toString());
        }
    }

    @Test
    void reportsAServerThatCannotBeReached() {
        Exception refused = assertThrows(Exception.class, () -> McpClients.sync(offline.toString(), SUPPORT).close());
        String all = String.valueOf(refused) + " " + String.valueOf(refused.getCause());
        assertTrue(all.contains("could not be reached") || all.contains("upstream_unavailable"), all);
    }

    @Test
    void letsNothingThroughUnderARuntimeKillSwitch() throws Exception {
        Map<String, String> admin = new HashMap<>(Map.of("Authorization", "Bearer mcp-admin-key"));
        try (McpSyncClient client = McpClients.sync(docs.toString(), SUPPORT)) {
            io.restassured.RestAssured.given().headers(admin).contentType("application/json")
                    .body("{\"reason\":\"incident 12\"}").put("/admin/kill-switches/tool/docs").then()
                    .statusCode(200);
            McpResource.upstream().clearRecords();
            // an open session: its listing, tool calls, pings and notifications are all stopped here
            Exception listing = assertThrows(Exception.class, () -> names(client));
            assertTrue(String.valueOf(listing.getMessage()).contains("kill switch"), listing.toString());
            assertEquals("kill_switch", problem(call(client, SEARCH_DOCS, Map.of("query", "q"), run())).path("reason")
                    .asText());
            assertThrows(Exception.class, client::ping);
            assertThrows(Exception.class, () -> client.readResource(
                    new McpSchema.ReadResourceRequest(McpUpstreamServer.README_URI)));
            // and a new session cannot be opened
            assertThrows(Exception.class, () -> McpClients.sync(docs.toString(), SUPPORT).close());
            assertEquals(List.of(), McpResource.upstream().exchanges().stream()
                    .filter(e -> e.method().equals("POST")).toList(), "no message reached the server");
        } finally {
            io.restassured.RestAssured.given().headers(admin).delete("/admin/kill-switches/tool/docs").then()
                    .statusCode(200);
        }
        try (McpSyncClient client = McpClients.sync(docs.toString(), SUPPORT)) {
            assertTrue(names(client).contains(SEARCH_DOCS));
        }
    }
}
