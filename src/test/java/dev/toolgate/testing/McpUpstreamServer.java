package dev.toolgate.testing;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;

/**
 * A real upstream MCP server for toolgate to stand in front of: the official MCP Java SDK's server behind its
 * servlet-based Streamable HTTP transport, in Jetty on a free port of 127.0.0.1, at {@link #PATH}.
 * <p>
 * It offers serverInfo {@value #SERVER_NAME}, the tools of {@link #TOOLS} (see the constants for their answers), the
 * resource {@value #README_URI} and the prompt {@value #PROMPT}, and records what reached it: {@code tools/call}s per
 * tool ({@link #calls}) and every HTTP exchange on {@code /mcp} ({@link #exchanges}, {@link #requestHeaders}).
 * <p>
 * {@link #start()} is the ordinary Streamable HTTP server: {@code initialize} is answered with {@code application/json}
 * and an {@code Mcp-Session-Id}, every other request with a {@code text/event-stream} (notifications with 202), and
 * {@code GET} opens the session's server stream. The SDK's Streamable transport cannot be told to answer with JSON;
 * {@link #startJsonResponses()} therefore uses the SDK's separate stateless transport, which answers every request with
 * {@code application/json} (see there for what that server cannot do).
 */
public final class McpUpstreamServer implements AutoCloseable {

    /** The MCP endpoint's path. */
    public static final String PATH = "/mcp";
    public static final String SERVER_NAME = "upstream-docs";
    public static final String SERVER_VERSION = "1.0.0";

    public static final String SEARCH_DOCS = "search_docs";
    public static final String DELETE_DOC = "delete_doc";
    public static final String REFUND = "refund";
    public static final String SLOW_REPORT = "slow_report";
    public static final String HIDDEN_ADMIN = "hidden_admin";
    public static final String FAIL_TOOL = "fail_tool";
    /** The tools the server starts with, in the order it lists them. */
    public static final List<String> TOOLS = List.of(SEARCH_DOCS, DELETE_DOC, REFUND, SLOW_REPORT, HIDDEN_ADMIN,
            FAIL_TOOL);

    /** The {@code _meta} member of a {@value #SEARCH_DOCS} result that carries the upstream's reported cost. */
    public static final String COST_META_KEY = "dev.toolgate/cost_usd_micros";
    /** The cost every {@value #SEARCH_DOCS} result reports under {@link #COST_META_KEY}. */
    public static final long SEARCH_DOCS_COST_USD_MICROS = 700;
    /** The {@code hits} of a {@value #SEARCH_DOCS} result when the call gives no {@code limit}. */
    public static final int SEARCH_DOCS_DEFAULT_HITS = 3;
    /** The pause after each {@value #SLOW_REPORT} notification (the last one's ends with the result). */
    public static final Duration SLOW_REPORT_STEP = Duration.ofMillis(200);
    public static final int SLOW_REPORT_MAX_STEPS = 20;
    /** The logger name of the logging notifications {@value #SLOW_REPORT} sends when the call has no progressToken. */
    public static final String SLOW_REPORT_LOGGER = SLOW_REPORT;
    public static final String FAIL_TOOL_TEXT = "upstream tool failed";
    public static final String HIDDEN_ADMIN_TEXT = "you should never see this";

    public static final String README_URI = "docs://readme";
    public static final String README_TEXT = "the readme";
    public static final String PROMPT = "summarize";
    public static final String PROMPT_ARGUMENT = "text";

    private final boolean stateless;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<HttpExchange> exchanges = new CopyOnWriteArrayList<>();
    /** Fault injection: how many more requests of a JSON-RPC method are answered 503 before the SDK sees them. */
    private final Map<String, AtomicInteger> failing = new ConcurrentHashMap<>();
    private final Server jetty;
    private final ServerConnector connector;
    private McpSyncServer server;
    private McpStatelessSyncServer statelessServer;

    private McpUpstreamServer(boolean stateless) {
        this.stateless = stateless;
        this.jetty = new Server();
        this.connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
    }

    /** Starts the Streamable HTTP server (SSE answers, sessions, server stream) on a free port. */
    /**
     * A JSON mapper for each client and server that resolves the SDK's type ids (class names) with the class loader
     * that loaded the SDK here. The SDK's shared default resolves them with the thread's context class loader, which
     * on a pooled thread may still be the class loader of a Quarkus test that ran before in the same JVM: the
     * classes then do not match ("not a subtype").
     */
    public static io.modelcontextprotocol.json.McpJsonMapper freshJsonMapper() {
        return new io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper(tools.jackson.databind.json.JsonMapper
                .builder().typeFactory(tools.jackson.databind.type.TypeFactory.createDefaultInstance()
                        .withClassLoader(McpSchema.class.getClassLoader()))
                .build());
    }

    public static McpUpstreamServer start() {
        McpUpstreamServer upstream = new McpUpstreamServer(false);
        upstream.launch();
        return upstream;
    }

    /**
     * Starts a server that answers every request with {@code application/json}: the SDK's stateless transport
     * ({@code HttpServletStatelessServerTransport}). It has no sessions (no {@code Mcp-Session-Id}), answers
     * {@code GET} with 405 and can send no notifications: {@value #SLOW_REPORT} only waits, and {@link #addTool} sends
     * no {@code list_changed}.
     */
    public static McpUpstreamServer startJsonResponses() {
        McpUpstreamServer upstream = new McpUpstreamServer(true);
        upstream.launch();
        return upstream;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://127.0.0.1:port/mcp} */
    public String url() {
        return "http://127.0.0.1:" + port() + PATH;
    }

    /** Whether this server answers with JSON instead of SSE ({@link #startJsonResponses()}). */
    public boolean jsonResponses() {
        return stateless;
    }

    /**
     * Registers one more tool (no arguments, answers {@code "added <name>"}); the Streamable server then sends
     * {@code notifications/tools/list_changed} on every open server stream.
     */
    public void addTool(String name) {
        Tool tool = new Tool(name, "a tool the upstream added at runtime", objectSchema(Map.of()),
                (arguments, progress) -> text("added " + name));
        if (stateless) {
            statelessServer.addTool(statelessSpecification(tool));
        } else {
            server.addTool(specification(tool));
        }
    }

    /**
     * Registers one more tool with this inputSchema as the server declares it (e.g. with a {@code $schema}); it
     * answers {@code "added <name>"}.
     */
    public void addTool(String name, Map<String, Object> inputSchema) {
        Tool tool = new Tool(name, "a tool with a schema of its own", inputSchema,
                (arguments, progress) -> text("added " + name));
        if (stateless) {
            statelessServer.addTool(statelessSpecification(tool));
        } else {
            server.addTool(specification(tool));
        }
    }

    /** Answers the next {@code times} requests of this JSON-RPC method with HTTP 503 (recorded, never handled). */
    public void failNext(String rpcMethod, int times) {
        failing.put(rpcMethod, new AtomicInteger(times));
    }

    /**
     * How many {@code tools/call}s for this tool reached its handler. (The SDK checks the arguments against the
     * inputSchema first and answers a call that breaks it itself, with isError, uncounted.)
     */
    public int calls(String tool) {
        AtomicInteger count = calls.get(tool);
        return count == null ? 0 : count.get();
    }

    /** Every HTTP exchange on {@code /mcp} since the start or the last {@link #clearRecords()}, in arrival order. */
    public List<HttpExchange> exchanges() {
        return List.copyOf(exchanges);
    }

    /** The request headers of {@link #exchanges()}; each map's keys ignore case. */
    public List<Map<String, List<String>>> requestHeaders() {
        return exchanges().stream().map(HttpExchange::requestHeaders).toList();
    }

    /** The names of all request headers that reached the server, ignoring case (e.g. to find no Toolgate-* there). */
    public Set<String> requestHeaderNames() {
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        exchanges.forEach(exchange -> names.addAll(exchange.requestHeaders().keySet()));
        return names;
    }

    /** Forgets the recorded calls and exchanges. */
    public void clearRecords() {
        calls.clear();
        exchanges.clear();
    }

    /** Closes the MCP server (and with it the sessions and their open streams), then stops Jetty. */
    @Override
    public void close() {
        try {
            if (server != null) {
                server.closeGracefully();
            }
            if (statelessServer != null) {
                statelessServer.closeGracefully();
            }
        } finally {
            try {
                jetty.stop();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop the upstream MCP server", e);
            }
        }
    }

    private void launch() {
        HttpServlet transport;
        if (stateless) {
            HttpServletStatelessServerTransport statelessTransport = HttpServletStatelessServerTransport.builder()
                    .jsonMapper(freshJsonMapper()).messageEndpoint(PATH).build();
            statelessServer = McpServer.sync(statelessTransport)
                    .serverInfo(SERVER_NAME, SERVER_VERSION)
                    .capabilities(capabilities())
                    .tools(tools().stream().map(this::statelessSpecification).toList())
                    .resources(new McpStatelessServerFeatures.SyncResourceSpecification(readme(),
                            (context, request) -> readmeContents()))
                    .prompts(new McpStatelessServerFeatures.SyncPromptSpecification(prompt(),
                            (context, request) -> promptResult(request)))
                    .build();
            transport = statelessTransport;
        } else {
            HttpServletStreamableServerTransportProvider provider = HttpServletStreamableServerTransportProvider
                    .builder().jsonMapper(freshJsonMapper()).mcpEndpoint(PATH).build();
            server = McpServer.sync(provider)
                    .serverInfo(SERVER_NAME, SERVER_VERSION)
                    .capabilities(capabilities())
                    .tools(tools().stream().map(this::specification).toList())
                    .resources(new McpServerFeatures.SyncResourceSpecification(readme(),
                            (exchange, request) -> readmeContents()))
                    .prompts(new McpServerFeatures.SyncPromptSpecification(prompt(),
                            (exchange, request) -> promptResult(request)))
                    .build();
            transport = provider;
        }

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder servlet = new ServletHolder("mcp", transport);
        servlet.setAsyncSupported(true);
        context.addServlet(servlet, PATH);
        FilterHolder recorder = new FilterHolder(new RecordingFilter());
        recorder.setAsyncSupported(true);
        context.addFilter(recorder, PATH, EnumSet.of(DispatcherType.REQUEST));
        jetty.setHandler(context);
        try {
            jetty.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot start the upstream MCP server", e);
        }
    }

    private static McpSchema.ServerCapabilities capabilities() {
        return McpSchema.ServerCapabilities.builder()
                .tools(true)
                .resources(false, false)
                .prompts(false)
                .logging()
                .build();
    }

    // ---- the tools -------------------------------------------------------------------------------------------

    /** What a tool may send before its result; a no-op where the transport can send nothing. */
    private interface Progress {
        void step(int done, int total);
    }

    /** The stateless server's: it has no stream to send anything on. */
    private static final Progress NO_PROGRESS = (done, total) -> {
    };

    private interface Handler {
        CallToolResult call(Map<String, Object> arguments, Progress progress);
    }

    private record Tool(String name, String description, Map<String, Object> inputSchema, Handler handler) {

        McpSchema.Tool definition() {
            return McpSchema.Tool.builder(name).description(description).inputSchema(inputSchema).build();
        }
    }

    private static List<Tool> tools() {
        return List.of(
                new Tool(SEARCH_DOCS, "searches the documentation",
                        objectSchema(properties("query", "string", "limit", "integer"), "query"),
                        (arguments, progress) -> searchDocs(arguments)),
                new Tool(DELETE_DOC, "deletes a document", objectSchema(properties("id", "string"), "id"),
                        (arguments, progress) -> text("deleted " + arguments.get("id"))),
                new Tool(REFUND, "refunds an amount to a tenant",
                        objectSchema(properties("amount_usd_micros", "integer", "tenant", "string"),
                                "amount_usd_micros", "tenant"),
                        (arguments, progress) -> text("refunded")),
                new Tool(SLOW_REPORT, "reports progress step by step, then answers",
                        objectSchema(Map.of("steps", Map.of("type", "integer", "minimum", 1, "maximum",
                                SLOW_REPORT_MAX_STEPS)), "steps"),
                        McpUpstreamServer::slowReport),
                new Tool(HIDDEN_ADMIN, "an admin tool no contract names", objectSchema(Map.of()),
                        (arguments, progress) -> text(HIDDEN_ADMIN_TEXT)),
                new Tool(FAIL_TOOL, "always fails", objectSchema(Map.of()),
                        (arguments, progress) -> CallToolResult.builder().addTextContent(FAIL_TOOL_TEXT)
                                .isError(true).build()));
    }

    private static CallToolResult searchDocs(Map<String, Object> arguments) {
        Object query = arguments.get("query");
        int hits = arguments.get("limit") instanceof Number limit ? limit.intValue() : SEARCH_DOCS_DEFAULT_HITS;
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("query", query);
        structured.put("hits", hits);
        return CallToolResult.builder()
                .addTextContent("results for " + query)
                .structuredContent(structured)
                .meta(Map.of(COST_META_KEY, SEARCH_DOCS_COST_USD_MICROS))
                .build();
    }

    private static CallToolResult slowReport(Map<String, Object> arguments, Progress progress) {
        if (!(arguments.get("steps") instanceof Number number) || number.intValue() < 1
                || number.intValue() > SLOW_REPORT_MAX_STEPS) {
            return CallToolResult.builder().addTextContent("steps must be 1.." + SLOW_REPORT_MAX_STEPS)
                    .isError(true).build();
        }
        int steps = number.intValue();
        for (int step = 1; step <= steps; step++) {
            progress.step(step, steps);
            pause();
        }
        return text("report done after " + steps + " steps");
    }

    private static void pause() {
        try {
            Thread.sleep(SLOW_REPORT_STEP);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static CallToolResult text(String text) {
        return CallToolResult.builder().addTextContent(text).build();
    }

    private static Map<String, Object> properties(String... namesAndTypes) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTypes.length; i += 2) {
            properties.put(namesAndTypes[i], Map.of("type", namesAndTypes[i + 1]));
        }
        return properties;
    }

    private static Map<String, Object> objectSchema(Map<String, Object> properties, String... required) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", properties);
        if (required.length > 0) {
            schema.put("required", List.of(required));
        }
        return schema;
    }

    /** The Streamable server's tool: progress goes to the request's SSE stream. */
    private McpServerFeatures.SyncToolSpecification specification(Tool tool) {
        return McpServerFeatures.SyncToolSpecification.builder()
                .tool(tool.definition())
                .callHandler((exchange, request) -> {
                    count(tool.name());
                    return tool.handler().call(arguments(request), progress(exchange, request.progressToken()));
                })
                .build();
    }

    private McpStatelessServerFeatures.SyncToolSpecification statelessSpecification(Tool tool) {
        return McpStatelessServerFeatures.SyncToolSpecification.builder()
                .tool(tool.definition())
                .callHandler((context, request) -> {
                    count(tool.name());
                    return tool.handler().call(arguments(request), NO_PROGRESS);
                })
                .build();
    }

    private void count(String tool) {
        calls.computeIfAbsent(tool, t -> new AtomicInteger()).incrementAndGet();
    }

    private static Map<String, Object> arguments(McpSchema.CallToolRequest request) {
        return request.arguments() == null ? Map.of() : request.arguments();
    }

    /** notifications/progress with the client's progressToken, or else logging notifications. */
    private static Progress progress(McpSyncServerExchange exchange, Object progressToken) {
        if (progressToken != null) {
            return (done, total) -> exchange.progressNotification(new McpSchema.ProgressNotification(progressToken,
                    done, (double) total, "step " + done + " of " + total));
        }
        return (done, total) -> exchange.loggingNotification(McpSchema.LoggingMessageNotification.builder()
                .level(McpSchema.LoggingLevel.INFO).logger(SLOW_REPORT_LOGGER)
                .data("step " + done + " of " + total).build());
    }

    // ---- the resource and the prompt -------------------------------------------------------------------------

    private static McpSchema.Resource readme() {
        return McpSchema.Resource.builder().uri(README_URI).name("readme").mimeType("text/plain").build();
    }

    private static McpSchema.ReadResourceResult readmeContents() {
        return new McpSchema.ReadResourceResult(
                List.of(new McpSchema.TextResourceContents(README_URI, "text/plain", README_TEXT)));
    }

    private static McpSchema.Prompt prompt() {
        return new McpSchema.Prompt(PROMPT, "summarizes a text",
                List.of(new McpSchema.PromptArgument(PROMPT_ARGUMENT, "the text to summarize", true)));
    }

    private static McpSchema.GetPromptResult promptResult(McpSchema.GetPromptRequest request) {
        Object text = request.arguments() == null ? null : request.arguments().get(PROMPT_ARGUMENT);
        return new McpSchema.GetPromptResult("summarize a text", List.of(new McpSchema.PromptMessage(
                McpSchema.Role.USER, new McpSchema.TextContent("Summarize: " + text))));
    }

    // ---- recording -------------------------------------------------------------------------------------------

    /**
     * One HTTP request to {@code /mcp} and what the server began to answer: status, content type and headers as they
     * stood when the body started (for an SSE answer: before its first event) or, for an answer without a body, when
     * the servlet returned. The response side is null while the server has not answered yet.
     */
    public static final class HttpExchange {

        private final String method;
        private final Map<String, List<String>> requestHeaders;
        private final String body;
        private final String rpcMethod;
        private volatile Integer status;
        private volatile String contentType;
        private volatile Map<String, List<String>> responseHeaders;

        HttpExchange(String method, Map<String, List<String>> requestHeaders, String body) {
            this.method = method;
            this.requestHeaders = requestHeaders;
            this.body = body;
            this.rpcMethod = rpcMethod(body);
        }

        /** GET, POST, DELETE */
        public String method() {
            return method;
        }

        /** The request body ("" for none). */
        public String body() {
            return body;
        }

        /** The JSON-RPC method of a POSTed request or notification (e.g. {@code tools/call}), or null. */
        public String rpcMethod() {
            return rpcMethod;
        }

        private static String rpcMethod(String body) {
            if (body.isBlank()) {
                return null;
            }
            try {
                return McpJsonDefaults.getMapper().readValue(body, Map.class).get("method") instanceof String method
                        ? method
                        : null;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** Every request header; the keys ignore case. */
        public Map<String, List<String>> requestHeaders() {
            return requestHeaders;
        }

        /** The request header's first value, or null. */
        public String requestHeader(String name) {
            List<String> values = requestHeaders.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public Integer status() {
            return status;
        }

        /** The response's Content-Type, or null. */
        public String contentType() {
            return contentType;
        }

        /** The response headers; the keys ignore case. */
        public Map<String, List<String>> responseHeaders() {
            return responseHeaders;
        }

        /** The response header's first value, or null. */
        public String responseHeader(String name) {
            Map<String, List<String>> headers = responseHeaders;
            List<String> values = headers == null ? null : headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        void answered(HttpServletResponse response) {
            if (status != null) {
                return;
            }
            responseHeaders = headers(response.getHeaderNames(), response::getHeaders);
            contentType = response.getContentType();
            status = response.getStatus();
        }

        @Override
        public String toString() {
            return method + (rpcMethod == null ? "" : " " + rpcMethod) + " " + requestHeaders + " -> " + status + " "
                    + contentType + " " + responseHeaders;
        }
    }

    private static Map<String, List<String>> headers(Collection<String> names,
            Function<String, Collection<String>> values) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : names) {
            headers.put(name, List.copyOf(values.apply(name)));
        }
        return Collections.unmodifiableMap(headers);
    }

    /**
     * Records each request on arrival (reading a POST's body ahead of the servlet), and the response when its body
     * starts or the servlet returns. (Jetty reuses a completed request's objects, so an SSE answer that completed
     * inside the servlet can no longer be read after it.)
     */
    private final class RecordingFilter extends HttpFilter {

        @Override
        protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            byte[] body = request.getInputStream().readAllBytes();
            HttpExchange exchange = new HttpExchange(request.getMethod(),
                    headers(Collections.list(request.getHeaderNames()),
                            name -> Collections.list(request.getHeaders(name))),
                    new String(body, StandardCharsets.UTF_8));
            exchanges.add(exchange);
            AtomicInteger failures = exchange.rpcMethod() == null ? null : failing.get(exchange.rpcMethod());
            if (failures != null && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                response.setStatus(503);
                exchange.answered(response);
                return;
            }
            RecordingResponse recording = new RecordingResponse(response, exchange);
            chain.doFilter(new ReadRequest(request, body), recording);
            if (!recording.bodyStarted) {
                exchange.answered(response);
            }
        }
    }

    /** A request whose body the filter has already read. */
    private static final class ReadRequest extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body was read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(),
                    encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding)));
        }
    }

    private static final class RecordingResponse extends HttpServletResponseWrapper {

        private final HttpExchange exchange;
        private volatile boolean bodyStarted;

        RecordingResponse(HttpServletResponse response, HttpExchange exchange) {
            super(response);
            this.exchange = exchange;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            started();
            return super.getWriter();
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            started();
            return super.getOutputStream();
        }

        private void started() {
            if (!bodyStarted) {
                bodyStarted = true;
                exchange.answered((HttpServletResponse) getResponse());
            }
        }
    }
}
