package dev.toolgate.ingress.mcp;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.McpMethod;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.forward.UpstreamClient;
import dev.toolgate.forward.UpstreamHeaders;
import dev.toolgate.ingress.web.HttpAnswers;
import dev.toolgate.ingress.web.ProblemDocuments;
import dev.toolgate.ingress.web.RateLimitHeaders;
import dev.toolgate.pipeline.UpstreamResult;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;

/**
 * Forwards one MCP message the pipeline let through to the server of the tool it resolved to, as the agent sent it
 * (less toolgate's own {@code _meta} members). A streamed answer is passed on event by event as it arrives, so that
 * progress notifications of a long call reach the agent at once, except the event carrying the request's answer: as
 * for HTTP, the agent gets the answer only after the call settled (at the cost the server reported in its result's
 * {@code _meta} or answer header {@code Toolgate-Cost-Usd-Micros}, else at the estimate) and its outcome was recorded.
 * An answer toolgate rewrites ({@link McpListings}) is read whole first.
 */
final class McpUpstream extends McpReplies {

    private final String server;
    private final JsonRpc.Message message;
    private final McpListings.Rewrite rewrite;

    /**
     * @param server the server the agent's session belongs to
     * @param rewrite how the answer is rewritten, or null when it passes as it comes
     */
    McpUpstream(McpRelay relay, String server, JsonRpc.Message message, MultiMap headers, HttpServerResponse agent,
            int maxKeptBytes, McpListings.Rewrite rewrite) {
        super(relay, headers, agent, maxKeptBytes);
        this.server = server;
        this.message = message;
        this.rewrite = rewrite;
    }

    @Override
    public Uni<UpstreamResult<McpReply>> send(ToolCall call) {
        throw new IllegalStateException("an MCP message is sent with its context");
    }

    @Override
    public Uni<UpstreamResult<McpReply>> send(ToolCall call, Context context) {
        ResolvedAction a = call.action().orElseThrow();
        ToolSpec tool = a.tool();
        if (!tool.name().equals(server)) {
            // the loader keeps an MCP action's fallback on its own server; should one get here, it is not forwarded
            return Uni.createFrom().item(new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                    "the call resolved to another MCP server than the agent's session belongs to"),
                    UpstreamResult.Delivery.NOT_SENT));
        }
        String toolName = call.invocation().method().equals(McpMethod.TOOLS_CALL) ? a.action().name() : null;
        Buffer body = Buffer.buffer(McpMessageBytes.forwarded(message, toolName, call.trace()));
        Map<String, String> extra = new HashMap<>();
        extra.put("Content-Type", "application/json");
        extra.put("Toolgate-Decision-Id", call.id());
        UpstreamHeaders.trace(call.trace()).forEach(h -> extra.put(h.getKey(), h.getValue()));
        if (headers.get("Accept") == null) {
            extra.put("Accept", "application/json, text/event-stream");
        }
        return Uni.createFrom().<UpstreamResult<McpReply>> emitter(emitter -> relay
                .send(tool, HttpMethod.POST, headers, extra, body, tool.requestTimeout())
                .onFailure(fault -> emitter.complete(failed(tool, fault)))
                .onSuccess(exchange -> step(emitter, tool, exchange, () -> {
                    int status = exchange.response().statusCode();
                    OptionalLong headerCost = cost(exchange.response().getHeader(UpstreamClient.COST_HEADER));
                    if (status / 100 != 2) {
                        emitter.complete(refusedByServer(exchange));
                    } else if (rewrite != null && message.kind() == JsonRpc.Kind.REQUEST) {
                        relay.collectAnswer(exchange, message.id())
                                .onFailure(fault -> emitter.complete(failed(tool, fault)))
                                .onSuccess(whole -> rewritten(call, context, exchange, whole, headerCost)
                                        .subscribe().with(emitter::complete, fault -> emitter.complete(failed(tool, fault))));
                    } else if (exchange.isStream()) {
                        streamed(call, context, exchange, headerCost).subscribe().with(emitter::complete,
                                fault -> emitter.complete(failed(tool, fault)));
                    } else {
                        relay.collect(exchange)
                                .onFailure(fault -> emitter.complete(failed(tool, fault)))
                                .onSuccess(whole -> emitter.complete(whole(exchange, whole, headerCost)));
                    }
                })));
    }

    private Uni<UpstreamResult<McpReply>> streamed(ToolCall call, Context context, UpstreamClient.Exchange exchange,
            OptionalLong headerCost) {
        McpRelay.head(exchange, agent, false);
        agent.putHeader("Toolgate-Decision-Id", call.id());
        agent.putHeader("Toolgate-Policy-Revision", context.policyRevision());
        RateLimitHeaders.write(agent, call.usage());
        ProblemDocuments.degradedFrom(call).ifPresent(from -> agent.putHeader(HttpAnswers.DEGRADED_FROM, from));
        JsonNode[] answer = new JsonNode[1];
        byte[][] held = new byte[1][];
        return Uni.createFrom().<UpstreamResult<McpReply>> emitter(emitter -> relay
                .stream(exchange, agent, event -> {
                    JsonNode node = answer[0] == null ? JsonRpc.answerIn(event, message.id()) : null;
                    if (node != null) {
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
                .onFailure(fault -> emitter.complete(failed(call.action().orElseThrow().tool(), fault))));
    }

    /** A 2xx answer that is not a stream: JSON, or nothing (a notification's 202). */
    private UpstreamResult<McpReply> whole(UpstreamClient.Exchange exchange, Buffer body, OptionalLong headerCost) {
        JsonNode answer = message.kind() == JsonRpc.Kind.REQUEST
                ? JsonRpc.answerIn(body.getBytes(), false, message.id(), relay.maxAnswerBytes())
                : null;
        return replied(exchange, body, answer, headerCost);
    }

    /** The answer with the response to this request rewritten, as JSON or as the same stream of events. */
    private Uni<UpstreamResult<McpReply>> rewritten(ToolCall call, Context context, UpstreamClient.Exchange exchange,
            Buffer whole, OptionalLong headerCost) {
        JsonNode answer = JsonRpc.answerIn(whole.getBytes(), exchange.isStream(), message.id(),
                relay.maxAnswerBytes());
        if (answer == null) {
            return Uni.createFrom().item(replied(exchange, whole, null, headerCost));
        }
        return rewrite.apply(call, answer, context).map(changed -> {
            Buffer body = exchange.isStream() ? McpMessageBytes.replaceEvent(whole.getBytes(), message.id(),
                    changed, relay.maxAnswerBytes()) : Buffer.buffer(changed.toString());
            return replied(exchange, body, changed, headerCost);
        });
    }

    private static UpstreamResult<McpReply> replied(UpstreamClient.Exchange exchange, Buffer body, JsonNode answer,
            OptionalLong headerCost) {
        OptionalLong cost = reported(answer).isPresent() ? reported(answer) : headerCost;
        return new UpstreamResult.Replied<>(whole(exchange, body, answer),
                status(answer, exchange.response().statusCode()), cost);
    }
}
