package dev.toolgate.testing;

import static dev.toolgate.testing.McpUpstreamServer.COST_META_KEY;
import static dev.toolgate.testing.McpUpstreamServer.DELETE_DOC;
import static dev.toolgate.testing.McpUpstreamServer.FAIL_TOOL;
import static dev.toolgate.testing.McpUpstreamServer.HIDDEN_ADMIN;
import static dev.toolgate.testing.McpUpstreamServer.REFUND;
import static dev.toolgate.testing.McpUpstreamServer.SEARCH_DOCS;
import static dev.toolgate.testing.McpUpstreamServer.SLOW_REPORT;
import static dev.toolgate.testing.McpUpstreamServer.SLOW_REPORT_STEP;
import static dev.toolgate.testing.McpUpstreamServer.TOOLS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.toolgate.testing.McpUpstreamServer.HttpExchange;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.InitializeResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.Tool;

/**
 * The upstream fixture talked to directly (no gateway) by the MCP Java SDK client of {@link McpClients}: its tools,
 * resource and prompt, its records, and the HTTP exchange the SDK does over Streamable HTTP.
 */
class McpUpstreamServerTest {

    private static final String TOKEN = "upstream-test-token";
    private static final Duration AWAIT = Duration.ofSeconds(5);

    private McpUpstreamServer upstream;

    @BeforeEach
    void start() {
        upstream = McpUpstreamServer.start();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    @Test
    void offersTheSixToolsEachWithAnInputSchema() {
        try (McpSyncClient client = McpClients.sync(upstream.url(), TOKEN)) {
            InitializeResult initialized = client.getCurrentInitializationResult();
            assertEquals(McpUpstreamServer.SERVER_NAME, initialized.serverInfo().name());
            McpSchema.ServerCapabilities capabilities = initialized.capabilities();
            assertEquals(Boolean.TRUE, capabilities.tools().listChanged());
            assertNotNull(capabilities.resources());
            assertNotNull(capabilities.prompts());
            assertNotNull(capabilities.logging());

            List<Tool> tools = client.listTools().tools();
            assertEquals(TOOLS, tools.stream().map(Tool::name).toList());
            tools.forEach(tool -> assertEquals("object", tool.inputSchema().get("type"), tool.name()));
            assertEquals(List.of("query"), tool(tools, SEARCH_DOCS).inputSchema().get("required"));
            assertEquals(Map.of("type", "integer"), properties(tool(tools, SEARCH_DOCS)).get("limit"));
            assertEquals(List.of("id"), tool(tools, DELETE_DOC).inputSchema().get("required"));
            assertEquals(List.of("amount_usd_micros", "tenant"), tool(tools, REFUND).inputSchema().get("required"));
            assertEquals(Map.of("type", "integer", "minimum", 1, "maximum", 20),
                    properties(tool(tools, SLOW_REPORT)).get("steps"));
            assertEquals(Map.of(), properties(tool(tools, HIDDEN_ADMIN)));
        }
    }

    @Test
    void searchDocsAnswersStructuredContentAndReportsItsCostInMeta() {
        try (McpSyncClient client = McpClients.sync(upstream.url(), TOKEN)) {
            CallToolResult result = client.callTool(call(SEARCH_DOCS, Map.of("query", "rate limits", "limit", 2)));

            assertNotEquals(Boolean.TRUE, result.isError());
            assertEquals("results for rate limits", text(result));
            assertEquals(Map.of("query", "rate limits", "hits", 2), result.structuredContent());
            assertEquals(McpUpstreamServer.SEARCH_DOCS_COST_USD_MICROS,
                    ((Number) result.meta().get(COST_META_KEY)).longValue());

            assertEquals(Map.of("query", "q", "hits", McpUpstreamServer.SEARCH_DOCS_DEFAULT_HITS),
                    client.callTool(call(SEARCH_DOCS, Map.of("query", "q"))).structuredContent());
        }
    }

    @Test
    void theOtherToolsAnswerAsTheirNamesSay() {
        try (McpSyncClient client = McpClients.sync(upstream.url(), TOKEN)) {
            assertEquals("deleted doc-7", text(client.callTool(call(DELETE_DOC, Map.of("id", "doc-7")))));
            assertEquals("refunded",
                    text(client.callTool(call(REFUND, Map.of("amount_usd_micros", 1500, "tenant", "acme")))));
            assertEquals(McpUpstreamServer.HIDDEN_ADMIN_TEXT, text(client.callTool(call(HIDDEN_ADMIN, Map.of()))));

            CallToolResult failed = client.callTool(call(FAIL_TOOL, Map.of()));
            assertEquals(Boolean.TRUE, failed.isError());
            assertEquals(McpUpstreamServer.FAIL_TOOL_TEXT, text(failed));

            assertEquals(Boolean.TRUE, client.callTool(call(SLOW_REPORT, Map.of("steps", 0))).isError());
            assertEquals(Boolean.TRUE, client.callTool(call(SLOW_REPORT, Map.of("steps", 21))).isError());
            assertEquals(0, upstream.calls(SLOW_REPORT)); // the SDK refused the arguments before the handler
        }
    }

    @Test
    void slowReportStreamsItsProgressNotificationsBeforeTheResult() {
        List<ProgressNotification> progress = new CopyOnWriteArrayList<>();
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = McpClients.to(upstream.url()).bearer(TOKEN)
                .spec(spec -> spec.progressConsumer(notification -> {
                    arrivals.add(System.nanoTime());
                    progress.add(notification);
                }))
                .initialized()) {
            CallToolResult result = client.callTool(CallToolRequest.builder().name(SLOW_REPORT)
                    .arguments(Map.of("steps", 4)).progressToken("report-1").build());
            long answered = System.nanoTime();

            assertEquals("report done after 4 steps", text(result));
            assertEquals(List.of(1.0, 2.0, 3.0, 4.0), progress.stream().map(ProgressNotification::progress).toList());
            progress.forEach(notification -> {
                assertEquals("report-1", notification.progressToken());
                assertEquals(4.0, notification.total());
            });
            // one by one while the tool worked (4 steps 200 ms apart), not all at once with the result
            long step = SLOW_REPORT_STEP.toNanos();
            assertTrue(answered - arrivals.get(0) >= 2 * step, "the first notification came with the result");
            assertTrue(arrivals.get(3) - arrivals.get(0) >= 2 * step, "the notifications came at once");
        }
    }

    @Test
    void slowReportWithoutAProgressTokenSendsLoggingNotifications() {
        List<String> logged = new CopyOnWriteArrayList<>();
        List<ProgressNotification> progress = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = McpClients.to(upstream.url()).bearer(TOKEN)
                .spec(spec -> spec.progressConsumer(progress::add).loggingConsumer(message -> {
                    if (McpUpstreamServer.SLOW_REPORT_LOGGER.equals(message.logger())) {
                        logged.add(message.data());
                    }
                }))
                .initialized()) {
            CallToolResult result = client.callTool(call(SLOW_REPORT, Map.of("steps", 2)));

            assertEquals("report done after 2 steps", text(result));
            assertEquals(List.of("step 1 of 2", "step 2 of 2"), logged);
            assertEquals(List.of(), progress);
        }
    }

    @Test
    void readsTheResourceAndThePrompt() {
        try (McpSyncClient client = McpClients.sync(upstream.url(), TOKEN)) {
            assertEquals(List.of(McpUpstreamServer.README_URI),
                    client.listResources().resources().stream().map(McpSchema.Resource::uri).toList());
            McpSchema.ReadResourceResult readme = client
                    .readResource(new McpSchema.ReadResourceRequest(McpUpstreamServer.README_URI));
            assertEquals(McpUpstreamServer.README_TEXT,
                    ((McpSchema.TextResourceContents) readme.contents().get(0)).text());

            McpSchema.Prompt prompt = client.listPrompts().prompts().get(0);
            assertEquals(McpUpstreamServer.PROMPT, prompt.name());
            assertEquals(List.of(McpUpstreamServer.PROMPT_ARGUMENT),
                    prompt.arguments().stream().map(McpSchema.PromptArgument::name).toList());
            McpSchema.GetPromptResult summarize = client.getPrompt(new McpSchema.GetPromptRequest(
                    McpUpstreamServer.PROMPT, Map.of(McpUpstreamServer.PROMPT_ARGUMENT, "a long text")));
            assertEquals("Summarize: a long text",
                    ((McpSchema.TextContent) summarize.messages().get(0).content()).text());
        }
    }

    @Test
    void aToolAddedAtRuntimeIsAnnouncedListedAndCallable() {
        List<List<String>> announced = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = McpClients.to(upstream.url()).bearer(TOKEN)
                .spec(spec -> spec.toolsChangeConsumer(tools -> announced.add(tools.stream().map(Tool::name).toList())))
                .initialized()) {
            // list_changed travels on the session's GET stream: wait until the client has opened it
            await().atMost(AWAIT).until(() -> upstream.exchanges().stream()
                    .anyMatch(exchange -> "GET".equals(exchange.method()) && exchange.status() != null));

            upstream.addTool("late_tool");

            await().atMost(AWAIT).until(() -> announced.stream().anyMatch(names -> names.contains("late_tool")));
            List<String> names = client.listTools().tools().stream().map(Tool::name).toList();
            assertEquals(7, names.size());
            assertTrue(names.containsAll(TOOLS) && names.contains("late_tool"), names.toString());
            assertEquals("added late_tool", text(client.callTool(call("late_tool", Map.of()))));
            assertEquals(1, upstream.calls("late_tool"));
        }
    }

    @Test
    void countsToolCallsPerToolUntilCleared() {
        try (McpSyncClient client = McpClients.sync(upstream.url(), TOKEN)) {
            client.callTool(call(SEARCH_DOCS, Map.of("query", "a")));
            client.callTool(call(SEARCH_DOCS, Map.of("query", "b")));
            client.callTool(call(DELETE_DOC, Map.of("id", "c")));

            assertEquals(2, upstream.calls(SEARCH_DOCS));
            assertEquals(1, upstream.calls(DELETE_DOC));
            assertEquals(0, upstream.calls(REFUND));

            upstream.clearRecords();
            assertEquals(0, upstream.calls(SEARCH_DOCS));
            assertEquals(List.of(), upstream.exchanges());

            client.callTool(call(SEARCH_DOCS, Map.of("query", "d")));
            assertEquals(1, upstream.calls(SEARCH_DOCS));
            assertEquals(List.of("tools/call"), upstream.exchanges().stream().map(HttpExchange::rpcMethod).toList());
        }
    }

    @Test
    void recordsTheHeadersOfEveryRequestThatReachedIt() {
        try (McpSyncClient client = McpClients.sync(upstream.url(), TOKEN, Map.of("Toolgate-Mode", "dry-run"))) {
            client.callTool(call(SEARCH_DOCS, Map.of("query", "a")));
        }
        await().atMost(AWAIT).until(() -> upstream.exchanges().stream().anyMatch(e -> "DELETE".equals(e.method())));

        List<Map<String, List<String>>> headers = upstream.requestHeaders();
        assertTrue(headers.size() >= 5, headers.toString()); // initialize, initialized, GET, tools/call, DELETE
        headers.forEach(request -> {
            assertEquals(List.of("Bearer " + TOKEN), request.get("authorization"));
            assertEquals(List.of("dry-run"), request.get("toolgate-mode"));
        });
        assertTrue(upstream.requestHeaderNames().containsAll(List.of("Authorization", "Toolgate-Mode")));

        HttpExchange initialize = one(exchange -> "initialize".equals(exchange.rpcMethod()));
        assertNull(initialize.requestHeader("Mcp-Session-Id"));
        String session = initialize.responseHeader("Mcp-Session-Id");
        assertNotNull(session);
        upstream.exchanges().stream().filter(exchange -> exchange != initialize).forEach(exchange -> {
            assertEquals(session, exchange.requestHeader("mcp-session-id"), exchange.toString());
            assertEquals(McpClients.OFFERED_PROTOCOL_VERSION, exchange.requestHeader("MCP-Protocol-Version"));
        });

        upstream.clearRecords();
        try (McpSyncClient anonymous = McpClients.sync(upstream.url(), null)) {
            anonymous.listTools();
        }
        assertFalse(upstream.exchanges().isEmpty());
        assertFalse(upstream.requestHeaderNames().contains("Authorization"), upstream.requestHeaderNames().toString());
        assertFalse(upstream.requestHeaderNames().contains("Toolgate-Mode"));
    }

    /**
     * What the SDK client and server do over Streamable HTTP (SDK 2.1.0): initialize is answered with JSON and a
     * session id; requests with SSE; notifications with 202; the client opens the GET stream at once and sends DELETE
     * on close.
     */
    @Test
    void theStreamableHttpExchangeOfTheSdk() {
        try (McpSyncClient client = McpClients.sync(upstream.url(), TOKEN)) {
            client.callTool(call(SEARCH_DOCS, Map.of("query", "a")));
            await().atMost(AWAIT).until(() -> upstream.exchanges().stream().anyMatch(e -> "GET".equals(e.method())));
        }
        await().atMost(AWAIT).until(() -> upstream.exchanges().stream().anyMatch(e -> "DELETE".equals(e.method())));

        HttpExchange initialize = one(exchange -> "initialize".equals(exchange.rpcMethod()));
        assertEquals("POST", initialize.method());
        assertEquals("application/json, text/event-stream", initialize.requestHeader("Accept"));
        assertTrue(initialize.requestHeader("Content-Type").startsWith("application/json"));
        assertEquals(McpClients.OFFERED_PROTOCOL_VERSION, initialize.requestHeader("MCP-Protocol-Version"));
        assertEquals(200, initialize.status());
        assertTrue(initialize.contentType().startsWith("application/json"), initialize.contentType());
        String session = initialize.responseHeader("Mcp-Session-Id");
        assertNotNull(session);

        HttpExchange initialized = one(exchange -> "notifications/initialized".equals(exchange.rpcMethod()));
        assertEquals(202, initialized.status());
        assertNull(initialized.contentType());

        HttpExchange toolCall = one(exchange -> "tools/call".equals(exchange.rpcMethod()));
        assertEquals("application/json, text/event-stream", toolCall.requestHeader("Accept"));
        assertEquals(200, toolCall.status());
        assertTrue(toolCall.contentType().startsWith("text/event-stream"), toolCall.contentType());

        HttpExchange stream = one(exchange -> "GET".equals(exchange.method()));
        assertEquals("text/event-stream", stream.requestHeader("Accept"));
        assertEquals(session, stream.requestHeader("Mcp-Session-Id"));
        assertEquals(200, stream.status());
        assertTrue(stream.contentType().startsWith("text/event-stream"), stream.contentType());

        HttpExchange delete = one(exchange -> "DELETE".equals(exchange.method()));
        assertEquals(session, delete.requestHeader("Mcp-Session-Id"));
        assertEquals(200, delete.status());
    }

    @Test
    void theClientUsesTheWholePathOfItsUrl() {
        // the SDK transport's own endpoint default is /mcp: a client that lost the path would reach this server
        String elsewhere = upstream.url() + "/docs";

        assertThrows(RuntimeException.class,
                () -> McpClients.to(elsewhere).bearer(TOKEN).requestTimeout(Duration.ofSeconds(3)).initialized());
        assertEquals(List.of(), upstream.exchanges());
    }

    @Test
    void theServerAnswersWithTheProtocolVersionTheClientOffers() {
        try (McpSyncClient client = McpClients.to(upstream.url()).bearer(TOKEN).protocolVersions("2025-03-26")
                .initialized()) {
            assertEquals("2025-03-26", client.getCurrentInitializationResult().protocolVersion());
            client.listTools();
        }
        assertEquals("2025-03-26", one(exchange -> "tools/list".equals(exchange.rpcMethod()))
                .requestHeader("MCP-Protocol-Version"));
    }

    @Test
    void theJsonServerAnswersEveryRequestWithJsonAndHasNoSession() {
        try (McpUpstreamServer json = McpUpstreamServer.startJsonResponses()) {
            List<ProgressNotification> progress = new CopyOnWriteArrayList<>();
            try (McpSyncClient client = McpClients.to(json.url()).bearer(TOKEN)
                    .spec(spec -> spec.progressConsumer(progress::add)).initialized()) {
                assertEquals(TOOLS, client.listTools().tools().stream().map(Tool::name).toList());
                CallToolResult search = client.callTool(call(SEARCH_DOCS, Map.of("query", "a")));
                assertEquals(McpUpstreamServer.SEARCH_DOCS_COST_USD_MICROS,
                        ((Number) search.meta().get(COST_META_KEY)).longValue());
                CallToolResult report = client.callTool(CallToolRequest.builder().name(SLOW_REPORT)
                        .arguments(Map.of("steps", 2)).progressToken("p").build());
                assertEquals("report done after 2 steps", text(report));
                assertEquals(List.of(), progress);
                assertEquals(1, json.calls(SEARCH_DOCS));
                await().atMost(AWAIT).until(() -> json.exchanges().stream()
                        .anyMatch(exchange -> "GET".equals(exchange.method()) && exchange.status() != null));
            }

            List<HttpExchange> requests = json.exchanges().stream()
                    .filter(exchange -> exchange.rpcMethod() != null)
                    .filter(exchange -> !exchange.rpcMethod().startsWith("notifications/"))
                    .toList();
            assertEquals(List.of("initialize", "tools/list", "tools/call", "tools/call"),
                    requests.stream().map(HttpExchange::rpcMethod).toList());
            requests.forEach(exchange -> {
                assertEquals(200, exchange.status());
                assertTrue(exchange.contentType().startsWith("application/json"), exchange.toString());
            });
            json.exchanges().forEach(exchange -> assertNull(exchange.responseHeader("Mcp-Session-Id")));
            json.exchanges().stream().filter(exchange -> exchange.rpcMethod() == null)
                    .forEach(exchange -> assertEquals("GET 405", exchange.method() + " " + exchange.status()));
        }
    }

    private HttpExchange one(Predicate<HttpExchange> which) {
        List<HttpExchange> matching = upstream.exchanges().stream().filter(which).toList();
        assertEquals(1, matching.size(), upstream.exchanges().toString());
        return matching.get(0);
    }

    private static CallToolRequest call(String tool, Map<String, Object> arguments) {
        return new CallToolRequest(tool, arguments);
    }

    private static String text(CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    private static Tool tool(List<Tool> tools, String name) {
        return tools.stream().filter(tool -> tool.name().equals(name)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Tool tool) {
        return (Map<String, Object>) tool.inputSchema().get("properties");
    }
}
