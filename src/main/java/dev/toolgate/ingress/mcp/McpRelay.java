package dev.toolgate.ingress.mcp;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.ToolSpec;
import dev.toolgate.forward.UpstreamClient;
import dev.toolgate.forward.UpstreamHeaders;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;

/**
 * Talks to upstream MCP servers on the one {@link UpstreamClient}: sends one POST, GET or DELETE with only the headers
 * MCP needs ({@link UpstreamHeaders#mcpRequest}: never the agent's credentials), and passes the answer back, either
 * whole (bounded) or as a stream, event by event.
 */
@ApplicationScoped
class McpRelay {

    static final String SESSION = "Mcp-Session-Id";

    /** How long a server may keep a stream open after it answered before toolgate drops the exchange. */
    private static final long ANSWERED_GRACE_MS = 5_000;

    private final UpstreamClient client;
    private final Vertx vertx;

    McpRelay(UpstreamClient client, Vertx vertx) {
        this.client = client;
        this.vertx = vertx;
    }

    /** The largest answer, or event of a stream, accepted from a server. */
    int maxAnswerBytes() {
        return client.maxAnswerBytes();
    }

    /**
     * Sends a request to the server's endpoint.
     *
     * @param headers the agent's request headers (filtered here)
     * @param extra headers toolgate adds, in place of the agent's of the same name
     * @param limit how long the whole exchange may take, answer included; null for none (a GET stream)
     * @param endedBy the agent's answer, whose closing gives the exchange up even before the server answers (a
     *        {@code GET} stream may wait long for the server's first event); null when not needed
     * @return the exchange once the answer's headers have arrived; a failed future when the server cannot be reached
     *         or does not answer in time
     */
    Future<UpstreamClient.Exchange> send(ToolSpec tool, HttpMethod method, MultiMap headers,
            Map<String, String> extra, Buffer body, Duration limit, HttpServerResponse endedBy) {
        URI base = tool.upstream();
        String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
        List<Map.Entry<String, String>> sent = new ArrayList<>();
        for (Map.Entry<String, String> h : UpstreamHeaders.mcpRequest(headers)) {
            if (extra.keySet().stream().noneMatch(h.getKey()::equalsIgnoreCase)) {
                sent.add(h);
            }
        }
        sent.addAll(extra.entrySet());
        return client.send(tool, method, path, sent, body, limit,
                endedBy == null ? null : giveUp -> endedBy.closeHandler(v -> giveUp.run()));
    }

    /** Sends a request that nothing but its time limit ends. */
    Future<UpstreamClient.Exchange> send(ToolSpec tool, HttpMethod method, MultiMap headers,
            Map<String, String> extra, Buffer body, Duration limit) {
        return send(tool, method, headers, extra, body, limit, null);
    }

    /** The whole answer, or a failure once it grows past the limit (the exchange is then dropped). */
    Future<Buffer> collect(UpstreamClient.Exchange exchange) {
        return client.collect(exchange);
    }

    /**
     * The answer up to the response to request {@code id}: the whole body when it is JSON; when it is a stream, its
     * events up to and including the one carrying that response (a server should end its stream there; one that does
     * not is let go of soon after).
     */
    Future<Buffer> collectAnswer(UpstreamClient.Exchange exchange, com.fasterxml.jackson.databind.JsonNode id) {
        if (!exchange.isStream()) {
            return collect(exchange);
        }
        Promise<Buffer> answered = Promise.promise();
        Buffer collected = Buffer.buffer();
        SseEvents events = new SseEvents(maxAnswerBytes());
        AtomicBoolean drained = new AtomicBoolean();
        HttpClientResponse response = exchange.response();
        response.handler(chunk -> {
            if (answered.future().isComplete()) {
                return;
            }
            if (collected.length() + chunk.length() > maxAnswerBytes()) {
                if (answered.tryFail(new UpstreamClient.AnswerTooLarge())) {
                    exchange.request().reset();
                }
                return;
            }
            for (SseEvents.Event event : events.feed(chunk.getBytes())) {
                collected.appendBytes(event.raw());
                if (JsonRpc.answerIn(event, id) != null && answered.tryComplete(collected)) {
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
    private void letGo(UpstreamClient.Exchange exchange, AtomicBoolean drained) {
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
    Future<Void> stream(UpstreamClient.Exchange exchange, HttpServerResponse agent, Predicate<SseEvents.Event> held) {
        Promise<Void> ended = Promise.promise();
        HttpClientResponse response = exchange.response();
        SseEvents events = new SseEvents(maxAnswerBytes());
        // the agent learns at once that its stream is open, even when the server sends nothing for a while
        agent.setChunked(true);
        agent.writeHead();
        agent.closeHandler(v -> {
            // the agent went away: stop the upstream exchange too
            if (ended.tryFail(new UpstreamClient.Abandoned())) {
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
                if (ended.tryFail(new UpstreamClient.AnswerTooLarge())) {
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
    static void head(UpstreamClient.Exchange exchange, HttpServerResponse agent, boolean passSession) {
        HttpClientResponse response = exchange.response();
        agent.setStatusCode(response.statusCode());
        response.headers().forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (UpstreamHeaders.mcpAnswer(lower) && (passSession || !lower.equals("mcp-session-id"))) {
                agent.headers().add(name, value);
            }
        });
    }
}
