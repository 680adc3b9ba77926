package dev.toolgate.testing;

import java.nio.file.Path;
import java.util.Map;

/**
 * Starts what the MCP gateway tests need before Quarkus: a real MCP server built with the official Java SDK (with one
 * more tool, {@value #REFUNDS}, that the bundled policy knows), one built with the TypeScript SDK that pages its tool
 * list, the contract {@code contracts/mcp.yaml} pointing at them, and a fresh audit file; with {@code store=redis}, a
 * real redis-server.
 */
public class McpResource extends WorldResource {

    /** The MCP tool the bundled policy decides as a refund when its server is named {@code payments}. */
    public static final String REFUNDS = "refunds.create";

    /** A tool whose inputSchema is draft-07, as most TypeScript-SDK servers declare theirs (zod-to-json-schema). */
    public static final String LOOKUP = "lookup";
    public static final Map<String, Object> LOOKUP_SCHEMA = Map.of(
            "$schema", "http://json-schema.org/draft-07/schema#",
            "type", "object",
            "properties", Map.of("q", Map.of("type", "string", "minLength", 1)),
            "required", java.util.List.of("q"),
            "additionalProperties", false);

    private static volatile McpUpstreamServer upstream;
    private NodeMcpServer paged;
    private io.vertx.core.http.HttpServer lingering;
    private static volatile Path auditFile;

    public McpResource() {
        super("mcp");
    }

    @Override
    Map<String, String> configure(TestWorld world) throws Exception {
        auditFile = world.auditFile;
        upstream = McpUpstreamServer.start();
        upstream.addTool(REFUNDS);
        upstream.addTool(LOOKUP, LOOKUP_SCHEMA);
        // a TypeScript-SDK server that lists one tool a page
        paged = NodeMcpServer.start(Map.of("PAGE_SIZE", "1"));
        lingering = lingeringServer(world.vertx);
        Map<String, String> config = world.config("mcp.yaml",
                Map.of("MCP_URL", upstream.url(), "PAGED_URL", paged.base() + "/mcp", "LINGERING_URL",
                        "http://127.0.0.1:" + lingering.actualPort() + "/mcp"));
        config.put("toolgate.http.max-body-bytes", "16384");
        config.put("toolgate.idempotency.in-flight-lease", "2S");
        return config;
    }

    @Override
    void release() {
        if (upstream != null) {
            upstream.close();
        }
        if (paged != null) {
            try {
                paged.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (lingering != null) {
            lingering.close();
        }
    }

    /** How long {@link #lingeringServer} keeps a tool call's stream open after its answer. */
    public static final long LINGER_MS = 1500;

    /**
     * A server that answers every request with a stream: for a {@code tools/call}, the answer, then the stream stays
     * open for {@value #LINGER_MS} ms before it ends (servers should end it at once; some do not).
     */
    private static io.vertx.core.http.HttpServer lingeringServer(io.vertx.core.Vertx vertx) throws Exception {
        return vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            io.vertx.core.json.JsonObject message = body.length() == 0 ? new io.vertx.core.json.JsonObject()
                    : body.toJsonObject();
            Object id = message.getValue("id");
            if (id == null) {
                request.response().setStatusCode(202).end();
                return;
            }
            String method = message.getString("method");
            io.vertx.core.json.JsonObject result = "tools/call".equals(method)
                    ? new io.vertx.core.json.JsonObject().put("content", new io.vertx.core.json.JsonArray()
                            .add(new io.vertx.core.json.JsonObject().put("type", "text").put("text", "lingered")))
                    : "tools/list".equals(method)
                            ? new io.vertx.core.json.JsonObject().put("tools", new io.vertx.core.json.JsonArray()
                                    .add(new io.vertx.core.json.JsonObject().put("name", "echo").put("inputSchema",
                                            new io.vertx.core.json.JsonObject().put("type", "object"))))
                            : new io.vertx.core.json.JsonObject().put("protocolVersion", "2025-06-18")
                                    .put("capabilities", new io.vertx.core.json.JsonObject().put("tools",
                                            new io.vertx.core.json.JsonObject()))
                                    .put("serverInfo", new io.vertx.core.json.JsonObject().put("name", "lingering")
                                            .put("version", "1"));
            String event = "event: message\ndata: " + new io.vertx.core.json.JsonObject().put("jsonrpc", "2.0")
                    .put("id", id).put("result", result).encode() + "\n\n";
            request.response().setChunked(true).putHeader("Content-Type", "text/event-stream").write(event);
            vertx.setTimer(LINGER_MS, t -> request.response().end());
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10,
                java.util.concurrent.TimeUnit.SECONDS);
    }

    /** The upstream MCP server of the running test. */
    public static McpUpstreamServer upstream() {
        return upstream;
    }

    public static Path auditFile() {
        return auditFile;
    }
}
