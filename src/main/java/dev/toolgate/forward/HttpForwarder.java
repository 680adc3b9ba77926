package dev.toolgate.forward;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.UpstreamResult;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;

/**
 * Forwards an allowed HTTP tool call to its tool's upstream on the {@link UpstreamClient}: the path and query as the
 * stages checked them, the body as approved, the agent's headers the tool may see ({@link UpstreamHeaders#toTool}),
 * and, when configured, who called ({@code toolgate.http.forwarded}). The tool's request timeout bounds the whole
 * exchange.
 */
@ApplicationScoped
public class HttpForwarder {

    private final UpstreamClient client;
    private final ToolgateConfig.Http.Forwarded forwarded;

    HttpForwarder(UpstreamClient client, ToolgateConfig config) {
        this.client = client;
        this.forwarded = config.http().forwarded();
    }

    /**
     * Forwards one call.
     *
     * @param rawPath the path below the tool, encoded from the values the stages checked
     * @param rawQuery the query string, encoded from the values the stages checked; empty or null for none
     * @param headers the agent's request headers, of which the tool gets {@link UpstreamHeaders#toTool}
     * @param caller the address of the agent's connection, told to the tool only when configured; may be null
     */
    public Uni<UpstreamResult<HttpReply>> forward(ToolCall call, ToolSpec tool, String method, String rawPath,
            String rawQuery, List<Map.Entry<String, String>> headers, Buffer body, String caller) {
        URI base = tool.upstream();
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        String uri = basePath + rawPath + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery);
        List<Map.Entry<String, String>> sent = new ArrayList<>(UpstreamHeaders.toTool(headers, tool.headers()));
        sent.addAll(UpstreamHeaders.forwarded(forwarded, caller));
        sent.add(Map.entry("Toolgate-Decision-Id", call.id()));
        sent.addAll(UpstreamHeaders.trace(call.trace()));
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
