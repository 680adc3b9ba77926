package dev.toolgate.forward;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.UpstreamResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The one client every protocol's calls reach their tools with: connection pools, the tool's connect timeout, a
 * time limit on the whole exchange, bodies bounded by {@code toolgate.http.max-upstream-body-bytes}, the cost header,
 * and one mapping of faults to reasons that says whether the request left ({@link UpstreamResult.Delivery}). What
 * headers go out is for the caller to choose with {@link UpstreamHeaders}.
 * <p>
 * Each event loop has a pool of its own (up to {@value #CONNECTIONS_PER_EVENT_LOOP} connections per upstream), so
 * that a call's exchange with its tool runs on the event loop that serves the call: a connection shared between
 * event loops lives on one of them, and every request, chunk and answer on it would be handed across and back.
 * Callers off an event loop share one more pool.
 */
@ApplicationScoped
public class UpstreamClient {

    private static final Logger LOG = Logger.getLogger(UpstreamClient.class);

    /** Reported by the upstream for settling; never passed to the agent. */
    public static final String COST_HEADER = "toolgate-cost-usd-micros";

    /** The most connections to one upstream in one event loop's pool. */
    static final int CONNECTIONS_PER_EVENT_LOOP = 64;

    private final HttpClientOptions poolOptions = new HttpClientOptions()
            .setKeepAlive(true)
            .setMaxPoolSize(CONNECTIONS_PER_EVENT_LOOP)
            .setDecompressionSupported(false);
    private final HttpClient shared;
    private final Map<Thread, HttpClient> perEventLoop = new ConcurrentHashMap<>();
    private final Vertx vertx;
    private final int maxAnswerBytes;
    private final CircuitBreakers breakers;

    @jakarta.inject.Inject
    UpstreamClient(Vertx vertx, ToolgateConfig config, CircuitBreakers breakers) {
        this(vertx, config.http().maxUpstreamBodyBytes(), breakers);
    }

    /** A client without circuit breakers. */
    UpstreamClient(Vertx vertx, int maxAnswerBytes) {
        this(vertx, maxAnswerBytes, CircuitBreakers.none());
    }

    UpstreamClient(Vertx vertx, int maxAnswerBytes, CircuitBreakers breakers) {
        this.vertx = vertx;
        this.breakers = breakers;
        this.shared = vertx.createHttpClient(poolOptions);
        this.maxAnswerBytes = maxAnswerBytes;
    }

    @PreDestroy
    void close() {
        shared.close();
        perEventLoop.values().forEach(HttpClient::close);
    }

    /** The pool of the event loop this runs on, or the shared one off the event loops. */
    private HttpClient client() {
        if (!Context.isOnEventLoopThread()) {
            return shared;
        }
        return perEventLoop.computeIfAbsent(Thread.currentThread(), ignored -> vertx.createHttpClient(poolOptions));
    }

    /** The largest answer, or event of a stream, accepted from a tool. */
    public int maxAnswerBytes() {
        return maxAnswerBytes;
    }

    /**
     * An exchange with the upstream whose answer headers have arrived. Whoever reads the answer reports a broken one
     * through {@link #fault} and ends the exchange with {@link #done}: that is also when the tool's circuit breaker
     * learns how the exchange went.
     */
    public record Exchange(HttpClientRequest request, HttpClientResponse response, long timer, Vertx vertx,
            AtomicBoolean timedOut, CircuitBreakers.Verdict verdict) {

        public boolean isStream() {
            String type = response.getHeader("Content-Type");
            return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
        }

        /**
         * The fault to report for a broken answer: the time limit when it ran out, else the fault itself. The tool's
         * circuit breaker counts it.
         */
        public Throwable fault(Throwable fault) {
            Throwable reported = timedOut.get() ? new UpstreamTimeout() : fault;
            verdict.failed(reported);
            return reported;
        }

        /**
         * Stops the exchange's time limit (the answer is complete, or the exchange was given up). Unless a fault was
         * reported first, the circuit breaker counts the exchange by the answer's status.
         */
        public void done() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            verdict.answered(response.statusCode());
        }
    }

    /**
     * Sends a request to the tool's upstream: {@code pathAndQuery} below its base path, these headers (the caller
     * chose them), {@code Host} the upstream's.
     *
     * @param limit how long the whole exchange may take, answer included; null for none (a stream that lasts as long
     *        as the agent wants it)
     * @param abandon given a way to give the exchange up (the agent left), when the caller needs one; may be null
     * @return the exchange once the answer's headers have arrived; a failed future ({@link #failure}) otherwise
     */
    public Future<Exchange> send(ToolSpec tool, HttpMethod method, String pathAndQuery,
            List<Map.Entry<String, String>> headers, Buffer body, Duration limit, Consumer<Runnable> abandon) {
        return breakers.through(tool,
                verdict -> exchange(tool, method, pathAndQuery, headers, body, limit, abandon, verdict));
    }

    private Future<Exchange> exchange(ToolSpec tool, HttpMethod method, String pathAndQuery,
            List<Map.Entry<String, String>> headers, Buffer body, Duration limit, Consumer<Runnable> abandon,
            CircuitBreakers.Verdict verdict) {
        URI base = tool.upstream();
        boolean tls = "https".equals(base.getScheme());
        int port = base.getPort() != -1 ? base.getPort() : tls ? 443 : 80;
        RequestOptions options = new RequestOptions().setMethod(method).setHost(base.getHost()).setPort(port)
                .setSsl(tls).setURI(pathAndQuery).setConnectTimeout(tool.connectTimeout().toMillis());
        headers.forEach(h -> options.addHeader(h.getKey(), h.getValue()));
        options.putHeader("Host", base.getAuthority());

        Promise<Exchange> answered = Promise.promise();
        AtomicBoolean timedOut = new AtomicBoolean();
        client().request(options).onComplete(opened -> {
            if (opened.failed()) {
                verdict.failed(opened.cause());
                answered.tryFail(new NotSent(opened.cause()));
                return;
            }
            HttpClientRequest request = opened.result();
            if (abandon != null) {
                abandon.accept(() -> {
                    verdict.neutral();
                    answered.tryFail(new Abandoned());
                    request.reset();
                });
            }
            long timer = limit == null ? -1 : vertx.setTimer(Math.max(1, limit.toMillis()), id -> {
                timedOut.set(true);
                verdict.failed(new UpstreamTimeout());
                answered.tryFail(new UpstreamTimeout());
                request.reset(0, new UpstreamTimeout());
            });
            request.response().onComplete(response -> {
                if (response.succeeded()) {
                    if (limit == null) {
                        // an exchange as long as the agent wants it (a stream): the tool answered, which is all its
                        // breaker can learn without waiting for the agent to leave
                        verdict.answered(response.result().statusCode());
                    }
                    if (!answered.tryComplete(new Exchange(request, response.result(), timer, vertx, timedOut,
                            verdict))) {
                        request.reset();
                    }
                } else {
                    if (timer >= 0) {
                        vertx.cancelTimer(timer);
                    }
                    Throwable fault = timedOut.get() ? new UpstreamTimeout() : response.cause();
                    verdict.failed(fault);
                    answered.tryFail(fault);
                }
            });
            (body == null ? request.end() : request.end(body)).onFailure(fault -> {
                verdict.failed(fault);
                answered.tryFail(fault);
            });
        });
        return answered.future();
    }

    /** The whole answer, or a failure once it grows past the limit (the exchange is then dropped). */
    public Future<Buffer> collect(Exchange exchange) {
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
     * What became of a call whose exchange failed: the reason, and whether the request left (a call never sent is
     * released, not charged).
     */
    public static <R> UpstreamResult.Failed<R> failure(ToolSpec tool, Throwable fault) {
        String name = "tool " + tool.name();
        return switch (fault) {
            case CircuitBreakers.Refused r -> new UpstreamResult.Failed<>(refusal(name, r),
                    UpstreamResult.Delivery.NOT_SENT);
            case UpstreamTimeout t -> new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_TIMEOUT,
                    name + " did not answer within " + tool.requestTimeout().toMillis() + " ms"));
            case AnswerTooLarge t -> new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                    name + " answered more than the gateway accepts"));
            case Abandoned a -> new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                    "the agent left before " + name + " answered"));
            case NotSent n -> {
                LOG.debugf("%s not reached: %s", name, String.valueOf(n.getCause()));
                yield new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                        name + " could not be reached"), UpstreamResult.Delivery.NOT_SENT);
            }
            default -> {
                LOG.debugf("%s failed: %s", name, fault.toString());
                boolean connect = fault instanceof ConnectException || fault instanceof UnknownHostException
                        || fault.getClass().getName().contains("ConnectTimeout");
                yield new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                        name + (connect ? " could not be reached" : " failed to answer")));
            }
        };
    }

    private static Denial refusal(String name, CircuitBreakers.Refused refused) {
        long seconds = refused.retryAfterSeconds(Instant.now());
        String detail = refused.retryAt().isPresent()
                ? name + " keeps failing: its circuit breaker is open, so the call was not sent; toolgate tries the"
                        + " tool again at " + refused.retryAt().get().truncatedTo(ChronoUnit.SECONDS)
                        + " (in " + seconds + " s)"
                : name + " keeps failing: its circuit breaker is half-open and a trial call is under way, so the call"
                        + " was not sent; try again shortly";
        return Denial.of(Reason.UPSTREAM_UNAVAILABLE, detail).with("circuit", refused.state())
                .with("retry_after", seconds);
    }

    /** The cost a tool reported in {@value #COST_HEADER}, when it is a whole number of micro-dollars. */
    public static OptionalLong cost(String header) {
        if (header == null || !header.strip().matches("[0-9]{1,15}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(header.strip()));
    }

    /** The tool did not answer within its request timeout. */
    public static final class UpstreamTimeout extends RuntimeException {
        UpstreamTimeout() {
            super("upstream timeout", null, false, false);
        }
    }

    /** The tool's answer exceeded {@code toolgate.http.max-upstream-body-bytes}. */
    public static final class AnswerTooLarge extends RuntimeException {
        public AnswerTooLarge() {
            super("answer too large", null, false, false);
        }
    }

    /** No connection to the tool could be opened: the request never left. */
    public static final class NotSent extends RuntimeException {
        NotSent(Throwable cause) {
            super("not sent", cause, false, false);
        }
    }

    /** The exchange was given up before the tool answered (the agent left). */
    public static final class Abandoned extends RuntimeException {
        public Abandoned() {
            super("abandoned", null, false, false);
        }
    }
}
