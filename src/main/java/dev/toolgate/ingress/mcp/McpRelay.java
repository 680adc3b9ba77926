package dev.toolgate.ingress.mcp;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.ToolSpec;
import dev.toolgate.config.ToolgateConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

/**
 * Talks to upstream MCP servers: sends one POST, GET or DELETE with only the headers MCP needs (never the agent's
 * credentials), and passes the answer back, either whole (bounded) or as a stream, event by event.
 */
@ApplicationScoped
class McpRelay {

    /** The request headers an MCP server may see; everything else, credentials first, stays here. */
    private static final Set<String> REQUEST_HEADERS = Set.of("accept", "content-type", "mcp-session-id",
            "mcp-protocol-version", "last-event-id", "traceparent", "tracestate", "mcp-method", "mcp-name",
            "user-agent");

    /** The answer headers the agent may see. */
    private static final Set<String> ANSWER_HEADERS = Set.of("content-type", "mcp-session-id", "mcp-protocol-version",
            "cache-control", "allow");

    static final String SESSION = "Mcp-Session-Id";

    /** How long a server may keep a stream open after it answered before toolgate drops the exchange. */
    private static final long ANSWERED_GRACE_MS = 5_000;

    private final HttpClient client;
    private final Vertx vertx;
    private final int maxAnswerBytes;

    McpRelay(Vertx vertx, ToolgateConfig config) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(64)
                .setDecompressionSupported(false));
        this.maxAnswerBytes = config.http().maxUpstreamBodyBytes();
    }

    /** The largest answer, or event of a stream, accepted from a server. */
    int maxAnswerBytes() {
        return maxAnswerBytes;
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** An exchange with the upstream whose answer headers have arrived. */
    record Exchange(HttpClientRequest request, HttpClientResponse response, long timer, Vertx vertx,
            AtomicBoolean timedOut) {

        boolean isStream() {
            String type = response.getHeader("Content-Type");
            return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
        }

        /** The fault to report for a broken answer: the time limit when it ran out, else the fault itself. */
        Throwable fault(Throwable fault) {
            return timedOut.get() ? new UpstreamTimeout() : fault;
        }

        /** Stops the exchange's time limit (the answer is complete, or the exchange was given up). */
        void done() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
        }
    }

    /**
     * Sends a request to the server's endpoint.
     *
     * @param headers the agent's request headers (filtered here)
     * @param extra headers toolgate adds
     * @param limit how long the whole exchange may take, answer included; null for none (a GET stream)
     * @return the exchange once the answer's headers have arrived; a failed future when the server cannot be reached
     *         or does not answer in time
     */
    Future<Exchange> send(ToolSpec tool, HttpMethod method, MultiMap headers, Map<String, String> extra, Buffer body,
            Duration limit) {
        return send(tool, method, headers, extra, body, limit, null);
    }

    /**
     * Sends a request that the agent's leaving ends, even before the server answers (a {@code GET} stream, which may
     * wait for the server's first event).
     */
    Future<Exchange> send(ToolSpec tool, HttpMethod method, MultiMap headers, Map<String, String> extra, Buffer body,
            Duration limit, HttpServerResponse endedBy) {
        URI base = tool.upstream();
        boolean tls = "https".equals(base.getScheme());
        int port = base.getPort() != -1 ? base.getPort() : tls ? 443 : 80;
        String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
        RequestOptions options = new RequestOptions().setMethod(method).setHost(base.getHost()).setPort(port)
                .setSsl(tls).setURI(path).setConnectTimeout(tool.connectTimeout().toMillis());
        headers.forEach((name, value) -> {
            if (REQUEST_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                options.addHeader(name, value);
            }
        });
        extra.forEach(options::putHeader);
        options.putHeader("Host", base.getAuthority());

        Promise<Exchange> answered = Promise.promise();
        AtomicBoolean timedOut = new AtomicBoolean();
        client.request(options).onComplete(opened -> {
            if (opened.failed()) {
                answered.tryFail(new NotSent(opened.cause()));
                return;
            }
            HttpClientRequest request = opened.result();
            if (endedBy != null) {
                endedBy.closeHandler(v -> {
                    answered.tryFail(new AgentGone());
                    request.reset();
                });
            }
            long timer = limit == null ? -1 : vertx.setTimer(Math.max(1, limit.toMillis()), id -> {
                timedOut.set(true);
                answered.tryFail(new UpstreamTimeout());
                request.reset(0, new UpstreamTimeout());
            });
            request.response().onComplete(response -> {
                if (response.succeeded()) {
                    if (!answered.tryComplete(new Exchange(request, response.result(), timer, vertx, timedOut))) {
                        request.reset();
                    }
                } else {
                    if (timer >= 0) {
                        vertx.cancelTimer(timer);
                    }
                    answered.tryFail(timedOut.get() ? new UpstreamTimeout() : response.cause());
                }
            });
            (body == null ? request.end() : request.end(body)).onFailure(answered::tryFail);
        });
        return answered.future();
    }

    /** The whole answer, or a failure once it grows past the limit (the exchange is then dropped). */
    Future<Buffer> collect(Exchange exchange) {
        Promise<Buffer> whole = Promise.promise();
        Buffer collected = Buffer.buffer();
        HttpClientResponse response = exchange.response();
        response.handler(chunk -> {
            if (collected.length() + chunk.length() > maxAnswerBytes) {
                if (whole.tryFail(new AnswerTooLarge())) {
                    exchange.request().reset();
                }
            } else {
                collected.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(fault -> whole.tryFail(exchange.fault(fault)));
        response.endHandler(v -> whole.tryComplete(collected));
        return whole.future().onComplete(done -> exchange.done());
    }

    /**
     * The answer up to the response to request {@code id}: the whole body when it is JSON; when it is a stream, its
     * events up to and including the one carrying that response (a server should end its stream there; one that does
     * not is let go of soon after).
     */
    Future<Buffer> collectAnswer(Exchange exchange, com.fasterxml.jackson.databind.JsonNode id) {
        if (!exchange.isStream()) {
            return collect(exchange);
        }
        Promise<Buffer> answered = Promise.promise();
        Buffer collected = Buffer.buffer();
        SseEvents events = new SseEvents(maxAnswerBytes);
        AtomicBoolean drained = new AtomicBoolean();
        HttpClientResponse response = exchange.response();
        response.handler(chunk -> {
            if (answered.future().isComplete()) {
                return;
            }
            if (collected.length() + chunk.length() > maxAnswerBytes) {
                if (answered.tryFail(new AnswerTooLarge())) {
                    exchange.request().reset();
                }
                return;
            }
            for (SseEvents.Event event : events.feed(chunk.getBytes())) {
                collected.appendBytes(event.raw());
                if (JsonRpc.answers(JsonRpc.read(event.data()), id) && answered.tryComplete(collected)) {
                    letGo(exchange, drained);
                    return;
                }
            }
        });
        response.exceptionHandler(fault -> answered.tryFail(exchange.fault(fault)));
        response.endHandler(v -> {
            drained.set(true);
            answered.tryComplete(collected.appendBytes(events.pending()));
        });
        return answered.future().onComplete(done -> exchange.done());
    }

    /** After the answer: a server that keeps its stream open anyway is let go of after a grace period. */
    private void letGo(Exchange exchange, AtomicBoolean drained) {
        vertx.setTimer(ANSWERED_GRACE_MS, id -> {
            if (!drained.get()) {
                exchange.request().reset();
            }
        });
    }

    /**
     * Streams the answer to the agent as it arrives, event by event; an event {@code held} claims is not written but
     * left to the caller (a call's answer, sent only once the call is settled), and ends the exchange. Completes when
     * the stream ends or an event is held, fails when it breaks (the agent's answer is then ended too). The answer's status and
     * headers must already be set; they
     * are sent at once.
     */
    Future<Void> stream(Exchange exchange, HttpServerResponse agent, Predicate<SseEvents.Event> held) {
        Promise<Void> ended = Promise.promise();
        HttpClientResponse response = exchange.response();
        SseEvents events = new SseEvents(maxAnswerBytes);
        // the agent learns at once that its stream is open, even when the server sends nothing for a while
        agent.setChunked(true);
        agent.writeHead();
        agent.closeHandler(v -> {
            // the agent went away: stop the upstream exchange too
            if (ended.tryFail(new AgentGone())) {
                exchange.request().reset();
            }
        });
        AtomicBoolean drained = new AtomicBoolean();
        response.handler(chunk -> {
            if (ended.future().isComplete()) {
                return; // after the answer: the server should have closed its stream; the rest is dropped
            }
            try {
                for (SseEvents.Event event : events.feed(chunk.getBytes())) {
                    if (!held.test(event)) {
                        agent.write(Buffer.buffer(event.raw()));
                    } else if (ended.tryComplete()) {
                        // the answer ends the exchange
                        letGo(exchange, drained);
                        return;
                    }
                }
            } catch (IllegalStateException tooLarge) {
                if (ended.tryFail(new AnswerTooLarge())) {
                    exchange.request().reset();
                }
                return;
            }
            if (agent.writeQueueFull()) {
                response.pause();
                agent.drainHandler(v -> response.resume());
            }
        });
        response.exceptionHandler(fault -> ended.tryFail(exchange.fault(fault)));
        response.endHandler(v -> {
            drained.set(true);
            byte[] rest = events.pending();
            if (!ended.future().isComplete() && rest.length > 0 && !agent.ended() && !agent.closed()) {
                // a last event without its ending empty line: passed on as it came
                agent.write(Buffer.buffer(rest));
            }
            ended.tryComplete();
        });
        return ended.future().onComplete(done -> exchange.done());
    }

    /** Nothing held back: every event goes to the agent as it comes. */
    static boolean none(SseEvents.Event event) {
        return false;
    }

    /** Copies the answer's status and the headers the agent may see. */
    static void head(Exchange exchange, HttpServerResponse agent, boolean passSession) {
        HttpClientResponse response = exchange.response();
        agent.setStatusCode(response.statusCode());
        response.headers().forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (ANSWER_HEADERS.contains(lower) && (passSession || !lower.equals("mcp-session-id"))) {
                agent.headers().add(name, value);
            }
        });
    }

    /** The server did not answer within the tool's request timeout. */
    static final class UpstreamTimeout extends RuntimeException {
        UpstreamTimeout() {
            super("upstream timeout", null, false, false);
        }
    }

    /** No connection to the server could be opened: the request never left. */
    static final class NotSent extends RuntimeException {
        NotSent(Throwable cause) {
            super("not sent", cause, false, false);
        }
    }

    /** The server's answer exceeded {@code toolgate.http.max-upstream-body-bytes}. */
    static final class AnswerTooLarge extends RuntimeException {
        AnswerTooLarge() {
            super("answer too large", null, false, false);
        }
    }

    /** The agent closed its connection before the stream ended. */
    static final class AgentGone extends RuntimeException {
        AgentGone() {
            super("agent gone", null, false, false);
        }
    }
}
