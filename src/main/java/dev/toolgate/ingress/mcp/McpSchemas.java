package dev.toolgate.ingress.mcp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ArgumentSchema;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.contract.DeclaredSchemas;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * The input schemas the upstream MCP servers declare for their tools, so that a {@code tools/call} is checked against
 * the server's own {@code inputSchema} as well as the contract's. Learned from every {@code tools/list} answer that
 * passes through, and, when a call names a tool not learned within {@code toolgate.mcp.schema-ttl}, asked of the
 * server in the caller's own session before the call goes on (every page of {@code tools/list}), at most once per
 * server and time to live, so that calls cannot multiply the server's work. A server that cannot be asked, or a call
 * that comes while another asks, leaves the tool unchecked here: the call still meets the contract's schema, and the
 * server its own.
 */
@ApplicationScoped
class McpSchemas {

    private static final Logger LOG = Logger.getLogger(McpSchemas.class);
    private static final int MAX_PAGES = 20;

    private record Learned(Optional<ArgumentSchema> schema, String source, long atNanos) {
    }

    private final Map<String, Map<String, Learned>> servers = new ConcurrentHashMap<>();
    /** When each server was last asked: it is asked at most once a time to live, whatever the calls name. */
    private final Map<String, Long> asked = new ConcurrentHashMap<>();
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
            JsonNode schema = tool.get("inputSchema");
            if (name == null || !name.isTextual() || schema == null) {
                continue;
            }
            String source = schema.toString();
            Learned before = known.get(name.textValue());
            if (before != null && before.source().equals(source)) {
                known.put(name.textValue(), new Learned(before.schema(), source, now));
                continue;
            }
            Optional<ArgumentSchema> compiled = DeclaredSchemas.compile(schema) instanceof DeclaredSchemas.Compiled.Ok ok
                    ? Optional.of(ok.schema())
                    : Optional.empty();
            if (compiled.isEmpty()) {
                LOG.warnf("MCP server %s: the inputSchema of tool %s does not compile; only the contract's schema "
                        + "applies to it", server, name.textValue());
            }
            known.put(name.textValue(), new Learned(compiled, source, now));
        }
    }

    /**
     * The server's schema for the tool: as learned when fresh, else after asking the server with the caller's
     * session headers.
     */
    Uni<Optional<ArgumentSchema>> schema(ToolSpec server, String tool, MultiMap headers) {
        Optional<Learned> fresh = fresh(server.name(), tool);
        if (fresh.isPresent()) {
            return Uni.createFrom().item(fresh.get().schema());
        }
        long now = nanoTime.getAsLong();
        Long last = asked.get(server.name());
        if (last != null && now - last < ttlNanos
                || !(last == null ? asked.putIfAbsent(server.name(), now) == null
                        : asked.replace(server.name(), last, now))) {
            // asked lately, or being asked right now: a tool the server did not list has no schema of its own
            return Uni.createFrom().item(Optional.empty());
        }
        return Uni.createFrom().completionStage(() -> ask(server, headers, null, 0).toCompletionStage())
                .onFailure().recoverWithItem(fault -> {
                    LOG.debugf("MCP server %s: tools/list for schemas failed: %s", server.name(), fault.toString());
                    return null;
                })
                .map(v -> fresh(server.name(), tool).flatMap(Learned::schema));
    }

    private Optional<Learned> fresh(String server, String tool) {
        Learned learned = servers.getOrDefault(server, Map.of()).get(tool);
        return learned != null && nanoTime.getAsLong() - learned.atNanos() < ttlNanos ? Optional.of(learned)
                : Optional.empty();
    }

    /** Asks for one page of {@code tools/list} and learns it; follows {@code nextCursor}. */
    private Future<Void> ask(ToolSpec server, MultiMap headers, String cursor, int page) {
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
        for (String name : new String[] { McpRelay.SESSION, "MCP-Protocol-Version", "traceparent" }) {
            if (headers.get(name) != null) {
                session.add(name, headers.get(name));
            }
        }
        return relay.send(server, HttpMethod.POST, session, extra, Buffer.buffer(request.toString()),
                server.requestTimeout())
                .compose(exchange -> relay.collectAnswer(exchange, id).map(body -> answer(exchange, body, id)))
                .compose(answer -> {
                    JsonNode result = answer == null ? null : answer.get("result");
                    if (result == null) {
                        return Future.failedFuture(new IllegalStateException("no tools/list result"));
                    }
                    learn(server.name(), result.path("tools"));
                    JsonNode next = result.get("nextCursor");
                    return next != null && next.isTextual() && page + 1 < MAX_PAGES
                            ? ask(server, headers, next.textValue(), page + 1)
                            : Future.succeededFuture();
                });
    }

    private JsonNode answer(McpRelay.Exchange exchange, Buffer body, JsonNode id) {
        if (exchange.response().statusCode() / 100 != 2) {
            return null;
        }
        if (!exchange.isStream()) {
            JsonNode node = McpUpstream.parse(body.toString(StandardCharsets.UTF_8));
            return JsonRpc.answers(node, id) ? node : null;
        }
        for (SseEvents.Event event : SseEvents.all(body.getBytes(), relay.maxAnswerBytes())) {
            JsonNode node = McpUpstream.parse(event.data());
            if (JsonRpc.answers(node, id)) {
                return node;
            }
        }
        return null;
    }
}
