package dev.toolgate.ingress.mcp;

import java.util.Map;

import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.pipeline.UpstreamResult;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;

/**
 * The operations of a session that are not a JSON-RPC message, once the pipeline allowed them: {@code GET} opens the
 * server's own stream of requests and notifications, passed through for as long as it runs (the agent's leaving ends
 * it); {@code DELETE} ends the session at the server.
 */
final class McpSessionUpstream extends McpReplies {

    private final HttpMethod method;

    McpSessionUpstream(McpRelay relay, HttpMethod method, MultiMap headers, HttpServerResponse agent) {
        super(relay, headers, agent, 0);
        this.method = method;
    }

    @Override
    public Uni<UpstreamResult<McpReply>> send(ToolCall call) {
        ToolSpec tool = call.action().orElseThrow().tool();
        boolean stream = method == HttpMethod.GET;
        return Uni.createFrom().<UpstreamResult<McpReply>> emitter(emitter -> relay
                .send(tool, method, headers, Map.of(), null, stream ? null : tool.requestTimeout(),
                        stream ? agent : null)
                .onFailure(fault -> emitter.complete(failed(tool, fault)))
                .onSuccess(exchange -> step(emitter, tool, exchange, () -> {
                    if (exchange.response().statusCode() / 100 != 2) {
                        emitter.complete(refusedByServer(exchange));
                    } else if (stream) {
                        McpRelay.head(exchange, agent, false);
                        agent.putHeader("Toolgate-Decision-Id", call.id());
                        relay.stream(exchange, agent, McpRelay::none).onComplete(done -> emitter.complete(
                                new UpstreamResult.Replied<>(new McpReply.Streamed(null, Buffer.buffer()),
                                        done.succeeded() ? "stream_ended" : "stream_broken")));
                    } else {
                        relay.collect(exchange)
                                .onFailure(fault -> emitter.complete(failed(tool, fault)))
                                .onSuccess(body -> emitter.complete(new UpstreamResult.Replied<>(
                                        whole(exchange, body, null),
                                        String.valueOf(exchange.response().statusCode()))));
                    }
                })));
    }
}
