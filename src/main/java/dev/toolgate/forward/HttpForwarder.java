package dev.toolgate.forward;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.UpstreamResult;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Forwards an allowed HTTP tool call to its tool's upstream with the Vert.x client: the path below the tool, the query
 * as sent, the body as approved; hop-by-hop headers, credentials and {@code Toolgate-*} headers removed. The tool's
 * request timeout bounds the whole exchange.
 */
@ApplicationScoped
public class HttpForwarder {

    private static final Logger LOG = Logger.getLogger(HttpForwarder.class);

    /** RFC 9110 §7.6.1 hop-by-hop headers, plus those a proxy must not pass on. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization", "host",
            "content-length", "expect");

    /** Credentials and identity assertions never reach a tool: the tool trusts toolgate, not the agent. */
    private static final Set<String> IDENTITY = Set.of("authorization", "cookie", "x-api-key", "x-forwarded-user",
            "x-remote-user", "x-auth-request-user", "x-forwarded-email", "x-client-cert", "x-forwarded-client-cert");

    /** Reported by the upstream for settling; never passed to the agent. */
    public static final String COST_HEADER = "toolgate-cost-usd-micros";

    private final HttpClient client;
    private final int maxAnswerBytes;

    HttpForwarder(Vertx vertx, ToolgateConfig config) {
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(64)
                .setDecompressionSupported(false));
        this.maxAnswerBytes = config.http().maxUpstreamBodyBytes();
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /**
     * Forwards one call.
     *
     * @param rawPath the path below the tool, as received (the contract stage has checked it)
     * @param rawQuery the query string as received, or null
     * @param headers the agent's request headers
     */
    public Uni<UpstreamResult<HttpReply>> forward(ToolCall call, ToolSpec tool, String method, String rawPath,
            String rawQuery, List<Map.Entry<String, String>> headers, Buffer body) {
        URI base = tool.upstream();
        boolean tls = "https".equals(base.getScheme());
        int port = base.getPort() != -1 ? base.getPort() : tls ? 443 : 80;
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        String uri = basePath + rawPath + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery);
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.valueOf(method))
                .setHost(base.getHost())
                .setPort(port)
                .setSsl(tls)
                .setURI(uri)
                .setConnectTimeout(tool.connectTimeout().toMillis());
        for (Map.Entry<String, String> h : endToEnd(headers)) {
            options.addHeader(h.getKey(), h.getValue());
        }
        options.putHeader("Host", base.getAuthority());
        options.putHeader("Toolgate-Decision-Id", call.id());

        return Uni.createFrom()
                .completionStage(() -> client.request(options)
                        .recover(fault -> Future.failedFuture(new NotSent(fault)))
                        .compose(request -> request.send(body))
                        .compose(response -> bounded(response).map(bytes -> reply(response, bytes)))
                        .toCompletionStage())
                .ifNoItem().after(tool.requestTimeout()).fail()
                .map(reply -> (UpstreamResult<HttpReply>) new UpstreamResult.Replied<>(reply,
                        String.valueOf(reply.status()), reply.reportedCostUsdMicros()))
                .onFailure().recoverWithItem(fault -> failed(tool, fault));
    }

    /** The whole answer body, or a failure as soon as it grows past the limit (the connection is then dropped). */
    private Future<Buffer> bounded(HttpClientResponse response) {
        Promise<Buffer> body = Promise.promise();
        Buffer collected = Buffer.buffer();
        response.handler(chunk -> {
            if (collected.length() + chunk.length() > maxAnswerBytes) {
                if (body.tryFail(new AnswerTooLarge())) {
                    response.request().reset();
                }
            } else {
                collected.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(body::tryFail);
        response.endHandler(v -> body.tryComplete(collected));
        return body.future();
    }

    /** No connection to the tool could be opened: the request never left. */
    private static final class NotSent extends RuntimeException {
        NotSent(Throwable cause) {
            super("not sent", cause, false, false);
        }
    }

    /** The tool's answer exceeded {@code toolgate.http.max-upstream-body-bytes}. */
    private static final class AnswerTooLarge extends RuntimeException {
        AnswerTooLarge() {
            super("answer too large", null, false, false);
        }
    }

    private static HttpReply reply(HttpClientResponse response, Buffer body) {
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> h : endToEnd(response.headers().entries())) {
            if (!h.getKey().equalsIgnoreCase(COST_HEADER)) {
                kept.add(h);
            }
        }
        return new HttpReply(response.statusCode(), kept, body, cost(response.getHeader(COST_HEADER)));
    }

    /** The cost a tool reported in {@value #COST_HEADER}, when it is a whole number of micro-dollars. */
    public static OptionalLong cost(String header) {
        if (header == null || !header.strip().matches("[0-9]{1,15}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(header.strip()));
    }

    /** Removes hop-by-hop headers (also those the Connection header names), credentials and Toolgate-* headers. */
    static List<Map.Entry<String, String>> endToEnd(List<Map.Entry<String, String>> headers) {
        Set<String> named = new HashSet<>();
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase("connection")) {
                for (String token : h.getValue().split(",")) {
                    named.add(token.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !IDENTITY.contains(name) && !named.contains(name)
                    && !name.startsWith("toolgate-")) {
                kept.add(Map.entry(h.getKey(), h.getValue()));
            }
        }
        return kept;
    }

    private static UpstreamResult<HttpReply> failed(ToolSpec tool, Throwable fault) {
        if (fault instanceof TimeoutException) {
            return new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_TIMEOUT,
                    "tool " + tool.name() + " did not answer within " + tool.requestTimeout().toMillis() + " ms"));
        }
        if (fault instanceof AnswerTooLarge) {
            return new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                    "tool " + tool.name() + " answered more than the gateway accepts"));
        }
        if (fault instanceof NotSent notSent) {
            LOG.debugf("upstream of tool %s not reached: %s", tool.name(), notSent.getCause().toString());
            return new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                    "tool " + tool.name() + " could not be reached"), UpstreamResult.Delivery.NOT_SENT);
        }
        LOG.debugf("upstream of tool %s failed: %s", tool.name(), fault.toString());
        String why = fault instanceof ConnectException || fault instanceof UnknownHostException
                || fault.getClass().getName().contains("ConnectTimeout")
                        ? "tool " + tool.name() + " could not be reached"
                        : "tool " + tool.name() + " failed to answer";
        return new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE, why));
    }
}
