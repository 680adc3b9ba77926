package dev.toolgate.ingress.mcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.forward.HttpForwarder;
import dev.toolgate.ingress.http.HttpAnswers;
import dev.toolgate.ingress.http.Problems;
import dev.toolgate.ingress.http.RateLimitHeaders;
import dev.toolgate.pipeline.StoredReply;
import dev.toolgate.pipeline.Upstream;
import dev.toolgate.pipeline.UpstreamResult;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;

/**
 * Forwards one allowed {@code tools/call} to its MCP server as the agent sent it (less toolgate's own {@code _meta}
 * members). A streamed answer is passed on event by event as it arrives, so that progress notifications of a long
 * call reach the agent at once, except the event carrying the call's answer: as for HTTP, the agent gets the answer
 * only after the call settled (at the cost the server reported in its result's {@code _meta} ({@value #COST_META}) or
 * answer header {@code Toolgate-Cost-Usd-Micros}, else at the estimate) and its outcome was recorded, so that the
 * agent's next call always sees this one's spend. The answer (result or error) is what an idempotent repeat gets
 * back.
 */
final class McpUpstream implements Upstream<McpReply> {

    static final String PROTOCOL = "mcp";
    static final String COST_META = "dev.toolgate/cost_usd_micros";
    private static final long MAX_COST = 1L << 51;

    private final McpRelay relay;
    private final ToolSpec server;
    private final JsonRpc.Message message;
    private final MultiMap headers;
    private final HttpServerResponse agent;
    private final String policyRevision;
    private final int maxKeptBytes;

    McpUpstream(McpRelay relay, ToolSpec server, JsonRpc.Message message, MultiMap headers, HttpServerResponse agent,
            String policyRevision, int maxKeptBytes) {
        this.relay = relay;
        this.server = server;
        this.message = message;
        this.headers = headers;
        this.agent = agent;
        this.policyRevision = policyRevision;
        this.maxKeptBytes = maxKeptBytes;
    }

    @Override
    public Uni<UpstreamResult<McpReply>> send(ToolCall call) {
        ResolvedAction a = call.action().orElseThrow();
        if (!a.tool().name().equals(server.name())) {
            // the loader keeps an MCP action's fallback on its own server; should one get here, it is not forwarded
            return Uni.createFrom().item(new UpstreamResult.Failed<>(Denial.of(Reason.BUDGET_EXCEEDED,
                    "the fallback action is on another MCP server, which the agent's session cannot reach"),
                    UpstreamResult.Delivery.NOT_SENT));
        }
        Buffer body = Buffer.buffer(forwarded(message, a.action().name()));
        Map<String, String> extra = new HashMap<>();
        extra.put("Content-Type", "application/json");
        extra.put("Toolgate-Decision-Id", call.id());
        if (headers.get("Accept") == null) {
            extra.put("Accept", "application/json, text/event-stream");
        }
        return Uni.createFrom().<UpstreamResult<McpReply>> emitter(emitter -> relay
                .send(server, HttpMethod.POST, headers, extra, body, server.requestTimeout())
                .onFailure(fault -> emitter.complete(failed(fault)))
                .onSuccess(exchange -> {
                    int status = exchange.response().statusCode();
                    OptionalLong headerCost = cost(exchange.response().getHeader("Toolgate-Cost-Usd-Micros"));
                    if (status / 100 != 2) {
                        // never the server's error body: an SDK server may put its stack trace there
                        exchange.request().reset();
                        exchange.done();
                        emitter.complete(new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                                status == 404 ? "the MCP server does not know this session; start a new one"
                                        : "the MCP server answered HTTP " + status)));
                    } else if (exchange.isStream()) {
                        streamed(call, exchange, headerCost).subscribe().with(emitter::complete,
                                fault -> emitter.complete(failed(fault)));
                    } else {
                        relay.collect(exchange)
                                .onFailure(fault -> emitter.complete(failed(fault)))
                                .onSuccess(whole -> {
                                    try {
                                        emitter.complete(whole(exchange, whole, headerCost));
                                    } catch (RuntimeException e) {
                                        emitter.complete(failed(e));
                                    }
                                });
                    }
                }));
    }

    private Uni<UpstreamResult<McpReply>> streamed(ToolCall call, McpRelay.Exchange exchange, OptionalLong headerCost) {
        McpRelay.head(exchange, agent, false);
        agent.putHeader("Toolgate-Decision-Id", call.id());
        agent.putHeader("Toolgate-Policy-Revision", policyRevision);
        RateLimitHeaders.write(agent, call.usage());
        Problems.degradedFrom(call).ifPresent(from -> agent.putHeader(HttpAnswers.DEGRADED_FROM, from));
        JsonNode[] answer = new JsonNode[1];
        byte[][] held = new byte[1][];
        return Uni.createFrom().<UpstreamResult<McpReply>> emitter(emitter -> relay
                .stream(exchange, agent, event -> {
                    JsonNode node = parse(event.data());
                    if (answer[0] == null && JsonRpc.answers(node, message.id())) {
                        // the answer waits until the call is settled and recorded, as an HTTP answer does
                        answer[0] = node;
                        held[0] = event.raw();
                        return true;
                    }
                    return false;
                })
                // a stream that broke after the answer went through still answered the call
                .recover(fault -> answer[0] == null ? io.vertx.core.Future.failedFuture(fault)
                        : io.vertx.core.Future.succeededFuture())
                .onSuccess(v -> emitter.complete(new UpstreamResult.Replied<>(
                        new McpReply.Streamed(answer[0], held[0] == null ? Buffer.buffer() : Buffer.buffer(held[0])),
                        status(answer[0], 200), reported(answer[0]).isPresent() ? reported(answer[0]) : headerCost)))
                .onFailure(fault -> emitter.complete(failed(fault))));
    }

    /** A 2xx answer that is not a stream: JSON, or nothing. */
    private UpstreamResult<McpReply> whole(McpRelay.Exchange exchange, Buffer body, OptionalLong headerCost) {
        int status = exchange.response().statusCode();
        JsonNode node = parse(body.toString(StandardCharsets.UTF_8));
        JsonNode answer = JsonRpc.answers(node, message.id()) ? node : null;
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        exchange.response().headers().forEach((name, value) -> kept.add(Map.entry(name, value)));
        OptionalLong cost = reported(answer).isPresent() ? reported(answer) : headerCost;
        return new UpstreamResult.Replied<>(new McpReply.Whole(status, kept, body, answer), status(answer, status),
                cost);
    }

    /** A short summary for the audit record. */
    static String status(JsonNode answer, int httpStatus) {
        if (answer == null) {
            return httpStatus / 100 == 2 ? "no_answer" : "http_" + httpStatus;
        }
        if (answer.has("error")) {
            return "rpc_error " + answer.path("error").path("code").asText("");
        }
        return answer.path("result").path("isError").asBoolean(false) ? "tool_error" : "ok";
    }

    private static UpstreamResult<McpReply> failed(Throwable fault) {
        if (fault instanceof McpRelay.UpstreamTimeout) {
            return new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_TIMEOUT,
                    "the MCP server did not answer in time"));
        }
        if (fault instanceof McpRelay.AnswerTooLarge) {
            return new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                    "the MCP server answered more than the gateway accepts"));
        }
        if (fault instanceof McpRelay.AgentGone) {
            return new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                    "the agent left before the MCP server answered"));
        }
        if (fault instanceof McpRelay.NotSent) {
            return new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                    "the MCP server could not be reached"), UpstreamResult.Delivery.NOT_SENT);
        }
        return new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE, "the MCP server could not be reached"));
    }

    /**
     * The message as forwarded: the bytes as received when there is nothing to change, else with toolgate's
     * {@code _meta} members removed and the action's tool name in place.
     */
    static byte[] forwarded(JsonRpc.Message message, String toolName) {
        JsonNode meta = message.params().get("_meta");
        boolean ours = meta != null && meta.isObject()
                && meta.properties().stream().anyMatch(member -> member.getKey().startsWith(McpOptions.PREFIX));
        if (!ours && toolName.equals(message.params().path("name").textValue())) {
            return message.raw();
        }
        ObjectNode copy = message.node().deepCopy();
        ObjectNode params = (ObjectNode) copy.get("params");
        params.put("name", toolName);
        if (params.get("_meta") instanceof ObjectNode copied) {
            copied.properties().removeIf(member -> member.getKey().startsWith(McpOptions.PREFIX));
            if (copied.isEmpty()) {
                params.remove("_meta");
            }
        }
        try {
            return JsonRpc.JSON.writeValueAsBytes(copy);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }

    /** The cost the server reported in its result's {@code _meta}. */
    static OptionalLong reported(JsonNode answer) {
        if (answer == null) {
            return OptionalLong.empty();
        }
        JsonNode cost = answer.path("result").path("_meta").path(COST_META);
        return cost.isIntegralNumber() && cost.canConvertToLong() && cost.longValue() >= 0
                && cost.longValue() <= MAX_COST ? OptionalLong.of(cost.longValue()) : OptionalLong.empty();
    }

    private static OptionalLong cost(String header) {
        OptionalLong reported = HttpForwarder.cost(header);
        return reported.isPresent() && reported.getAsLong() <= MAX_COST ? reported : OptionalLong.empty();
    }

    static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JsonRpc.JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public Optional<StoredReply> encode(McpReply reply) {
        JsonNode answer = reply.answer();
        if (answer == null) {
            return Optional.empty();
        }
        ObjectNode kept = JsonRpc.JSON.createObjectNode();
        if (answer.has("result")) {
            kept.set("result", answer.get("result"));
        } else {
            kept.set("error", answer.get("error"));
        }
        byte[] bytes = kept.toString().getBytes(StandardCharsets.UTF_8);
        return bytes.length > maxKeptBytes ? Optional.empty() : Optional.of(new StoredReply(PROTOCOL, bytes));
    }

    @Override
    public Optional<McpReply> decode(StoredReply stored) {
        if (!PROTOCOL.equals(stored.protocol())) {
            return Optional.empty();
        }
        JsonNode kept = parse(new String(stored.bytes(), StandardCharsets.UTF_8));
        return kept == null || !(kept.has("result") || kept.has("error")) ? Optional.empty()
                : Optional.of(new McpReply.Kept(kept));
    }
}
