package dev.toolgate.forward;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.pipeline.UpstreamResult;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;

/**
 * Forwards an allowed HTTP tool call to its tool's upstream on the {@link UpstreamClient}: the path below the tool,
 * the query as sent, the body as approved, the end-to-end headers ({@link UpstreamHeaders#endToEnd}). The tool's
 * request timeout bounds the whole exchange.
 */
@ApplicationScoped
public class HttpForwarder {

    private final UpstreamClient client;

    HttpForwarder(UpstreamClient client) {
        this.client = client;
    }

    /**
     * Forwards one call.
     *
     * @param rawPath the path below the tool, as the stages decided it (the contract stage has checked it)
     * @param rawQuery the query string as received, or null
     * @param headers the agent's request headers
     */
    public Uni<UpstreamResult<HttpReply>> forward(ToolCall call, ToolSpec tool, String method, String rawPath,
            String rawQuery, List<Map.Entry<String, String>> headers, Buffer body) {
        URI base = tool.upstream();
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        String uri = basePath + rawPath + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery);
        List<Map.Entry<String, String>> sent = new ArrayList<>(UpstreamHeaders.endToEnd(headers));
        sent.add(Map.entry("Toolgate-Decision-Id", call.id()));
        return Uni.createFrom()
                .completionStage(() -> client.send(tool, HttpMethod.valueOf(method), uri, sent, body,
                        tool.requestTimeout(), null)
                        .compose(exchange -> client.collect(exchange).map(bytes -> reply(exchange.response(), bytes)))
                        .toCompletionStage())
                .map(reply -> (UpstreamResult<HttpReply>) new UpstreamResult.Replied<>(reply,
                        String.valueOf(reply.status()), reply.reportedCostUsdMicros()))
                .onFailure().recoverWithItem(fault -> UpstreamClient.failure(tool, fault));
    }

    private static HttpReply reply(HttpClientResponse response, Buffer body) {
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> h : UpstreamHeaders.endToEnd(response.headers().entries())) {
            if (!h.getKey().equalsIgnoreCase(UpstreamClient.COST_HEADER)) {
                kept.add(h);
            }
        }
        return new HttpReply(response.statusCode(), kept, body,
                UpstreamClient.cost(response.getHeader(UpstreamClient.COST_HEADER)));
    }
}
