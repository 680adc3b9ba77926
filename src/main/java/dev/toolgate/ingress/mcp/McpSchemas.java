package dev.toolgate.ingress.mcp;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ToolSpec;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.forward.UpstreamClient;
import dev.toolgate.pipeline.ToolSchemas;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * The input schemas the upstream MCP servers declare for their tools, which the contract stage enforces besides the
 * contract's (see {@link ToolSchemas}). Learned from every {@code tools/list} answer that passes through, and, when the
 * contract stage asks for a tool not learned within {@code toolgate.mcp.schema-ttl}, asked of the server in the
 * caller's own session (every page of {@code tools/list}). Calls that come while the server is being asked wait for
 * that one request, and a server that listed all its tools is not asked again within the time to live, so that calls
 * cannot multiply the server's work. A server that cannot be asked gives {@link ToolSchemas.Lookup.Unavailable}, and
 * nothing of it is kept: the next call asks again.
 */
@ApplicationScoped
class McpSchemas {

    private static final Logger LOG = Logger.getLogger(McpSchemas.class);
    private static final int MAX_PAGES = 20;

    /** A tool's schema as the server declared it; {@code schema} is null when the tool was listed without one. */
    private record Learned(String source, JsonNode schema, long atNanos) {
    }

    private final Map<String, Map<String, Learned>> servers = new ConcurrentHashMap<>();
    /** When each server last listed all its tools to toolgate's own request. */
    private final Map<String, Long> listed = new ConcurrentHashMap<>();
    /** The request asking each server right now, which other calls wait for. */
    private final Map<String, CompletableFuture<Void>> asking = new ConcurrentHashMap<>();
    private final McpRelay relay;
    private final long ttlNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong requests = new AtomicLong();

    @Inject
    McpSchemas(McpRelay relay, ToolgateConfig config) {
        this(relay, config.mcp().schemaTtl(), System::nanoTime);
    }

    McpSchemas(McpRelay relay, Duration ttl, LongSupplier nanoTime) {
        this.relay = relay;
        this.ttlNanos = ttl.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Learns the schemas of one {@code tools/list} page ({@code result.tools}). */
    void learn(String server, JsonNode tools) {
        if (!tools.isArray()) {
            return;
        }
        Map<String, Learned> known = servers.computeIfAbsent(server, s -> new ConcurrentHashMap<>());
        long now = nanoTime.getAsLong();
        for (JsonNode tool : tools) {
            JsonNode name = tool.get("name");
            if (name != null && name.isTextual()) {
                JsonNode schema = tool.get("inputSchema");
                known.put(name.textValue(), new Learned(schema == null ? "" : schema.toString(), schema, now));
            }
        }
    }

    /** The lookups of one caller: the server is asked, when it must be, in the caller's session. */
    ToolSchemas of(MultiMap headers) {
        return (server, tool) -> lookup(server, tool, headers);
    }

    /** The server's schema for the tool: as learned when fresh, else after asking the server. */
    Uni<ToolSchemas.Lookup> lookup(ToolSpec server, String tool, MultiMap headers) {
        ToolSchemas.Lookup known = known(server.name(), tool);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return Uni.createFrom().completionStage(() -> ask(server, headers))
                .map(v -> {
                    ToolSchemas.Lookup learned = known(server.name(), tool);
                    return learned != null ? learned
                            : new ToolSchemas.Lookup.Unavailable("MCP server " + server.name() + " does not list it");
                })
                .onFailure().recoverWithItem(fault -> {
                    LOG.debugf("MCP server %s: tools/list for schemas failed: %s", server.name(), fault.toString());
                    return new ToolSchemas.Lookup.Unavailable("MCP server " + server.name()
                            + " could not be asked for its tools");
                });
    }

    /** What is known of the tool within the time to live, or null when the server must be asked. */
    private ToolSchemas.Lookup known(String server, String tool) {
        long now = nanoTime.getAsLong();
        Learned learned = servers.getOrDefault(server, Map.of()).get(tool);
        if (learned != null && now - learned.atNanos() < ttlNanos) {
            return learned.schema() == null
                    ? new ToolSchemas.Lookup.Unavailable("MCP server " + server + " lists it without an inputSchema")
                    : new ToolSchemas.Lookup.Declared(learned.source(), learned.schema());
        }
        Long all = listed.get(server);
        if (all != null && now - all < ttlNanos) {
            // the server listed all its tools lately, and this one was not among them
            return new ToolSchemas.Lookup.Unavailable("MCP server " + server + " does not list it");
        }
        return null;
    }

    /** Asks the server for all its tools, or joins the request that is asking it right now. */
    private CompletableFuture<Void> ask(ToolSpec server, MultiMap headers) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = asking.putIfAbsent(server.name(), mine);
        if (running != null) {
            return running;
        }
        page(server, headers, null, 0).onComplete(done -> {
            asking.remove(server.name(), mine);
            if (done.succeeded()) {
                listed.put(server.name(), nanoTime.getAsLong());
                mine.complete(null);
            } else {
                mine.completeExceptionally(done.cause());
            }
        });
        return mine;
    }

    /** Asks for one page of {@code tools/list} and learns it; follows {@code nextCursor}. */
    private Future<Void> page(ToolSpec server, MultiMap headers, String cursor, int page) {
        ObjectNode request = JsonRpc.JSON.createObjectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", "toolgate-schemas-" + requests.incrementAndGet());
        request.put("method", "tools/list");
        ObjectNode params = request.putObject("params");
        if (cursor != null) {
            params.put("cursor", cursor);
        }
        JsonNode id = request.get("id");
        Map<String, String> extra = Map.of("Content-Type", "application/json", "Accept",
                "application/json, text/event-stream", "Mcp-Method", "tools/list");
        MultiMap session = MultiMap.caseInsensitiveMultiMap();
        for (String name : new String[] { McpRelay.SESSION, "MCP-Protocol-Version", "traceparent", "tracestate" }) {
            if (headers.get(name) != null) {
                session.add(name, headers.get(name));
            }
        }
        return relay.send(server, HttpMethod.POST, session, extra, Buffer.buffer(request.toString()),
                server.requestTimeout())
                .compose(exchange -> relay.collectAnswer(exchange, id).map(body -> answer(exchange, body, id)))
                .compose(answer -> {
                    JsonNode result = answer == null ? null : answer.get("result");
                    if (result == null || !result.path("tools").isArray()) {
                        return Future.failedFuture(new IllegalStateException("no tools/list result"));
                    }
                    learn(server.name(), result.path("tools"));
                    JsonNode next = result.get("nextCursor");
                    if (next == null || !next.isTextual()) {
                        return Future.succeededFuture();
                    }
                    return page + 1 < MAX_PAGES ? page(server, headers, next.textValue(), page + 1)
                            : Future.failedFuture(new IllegalStateException("more than " + MAX_PAGES + " pages"));
                });
    }

    private JsonNode answer(UpstreamClient.Exchange exchange, Buffer body, JsonNode id) {
        return exchange.response().statusCode() / 100 != 2 ? null
                : JsonRpc.answerIn(body.getBytes(), exchange.isStream(), id, relay.maxAnswerBytes());
    }
}
