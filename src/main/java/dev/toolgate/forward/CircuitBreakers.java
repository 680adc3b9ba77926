package dev.toolgate.forward;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import dev.toolgate.call.ToolSpec;
import dev.toolgate.config.ToolgateConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * A circuit breaker per upstream tool (SmallRye Fault Tolerance's programmatic {@link Guard}, one per tool name, made
 * from {@code toolgate.upstream.circuit-breaker}). Each exchange with a tool is one guarded invocation that ends with
 * its {@link Verdict}: the exchange's own end, not the arrival of the answer's headers, so that a body that breaks off
 * or trickles past the tool's time limit counts too.
 * <p>
 * What counts as the tool's failure: no connection (refused, connect timeout, unknown host), a reset, no complete
 * answer within the tool's {@code timeouts.request}, and an HTTP 5xx answer. A 5xx counts because the stages checked
 * the call (grant, schema, policy) before it was sent: a tool that answers a checked call with a server error is the
 * one failing, and one that sheds load with 503 is asking for exactly this relief. A 4xx is the agent's mistake and
 * never counts, nor does an answer over the size limit (about that answer, not the tool's health) or an agent that
 * left.
 * <p>
 * While a tool's breaker is open, its calls fail at once with {@link Refused} before a connection is opened (a call
 * never sent is released, not charged); after {@code delay} it lets trial calls through and closes once they succeed.
 * Its state is the gauge {@code toolgate.upstream.circuit{tool,state}} (1 for the current state, 0 for the others);
 * refused calls are counted in {@code toolgate.upstream.circuit.refused{tool}}.
 */
@ApplicationScoped
@Startup
public class CircuitBreakers {

    private static final Logger LOG = Logger.getLogger(CircuitBreakers.class);
    private static final TypeLiteral<CompletionStage<Void>> ENDED = new TypeLiteral<>() {
    };

    private final ToolgateConfig.CircuitBreaker config;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

    @Inject
    CircuitBreakers(ToolgateConfig config, MeterRegistry meters) {
        this(config.upstream().circuitBreaker(), meters, Clock.systemUTC());
    }

    CircuitBreakers(ToolgateConfig.CircuitBreaker config, MeterRegistry meters, Clock clock) {
        this.config = config;
        this.meters = meters;
        this.clock = clock;
        if (config != null && config.enabled()) {
            check(config);
        }
    }

    /** No breakers, for a client built by hand outside CDI: every exchange goes ahead and nothing is counted. */
    static CircuitBreakers none() {
        return new CircuitBreakers(null, null, Clock.systemUTC());
    }

    /**
     * Runs one exchange with a tool through its breaker.
     *
     * @param exchange starts the exchange; it must settle the {@link Verdict} it is given exactly when the exchange
     *        ends (a second settlement is ignored)
     * @return what the exchange answers, or a failed future with {@link Refused} when the breaker did not let it start
     */
    <T> Future<T> through(ToolSpec tool, Function<Verdict, Future<T>> exchange) {
        if (config == null || !config.enabled()) {
            return exchange.apply(Verdict.IGNORED);
        }
        Breaker breaker = breakers.computeIfAbsent(tool.name(), Breaker::new);
        Promise<T> answered = Promise.promise();
        Verdict verdict = new Verdict();
        try {
            breaker.guard.call(() -> {
                try {
                    exchange.apply(verdict).onComplete(answered);
                } catch (RuntimeException bug) {
                    verdict.neutral();
                    answered.tryFail(bug);
                }
                return verdict.ended;
            }, ENDED).whenComplete((ok, fault) -> {
                Throwable cause = fault instanceof CompletionException c && c.getCause() != null ? c.getCause() : fault;
                if (cause instanceof CircuitBreakerOpenException) {
                    answered.tryFail(breaker.refused());
                }
            });
        } catch (CircuitBreakerOpenException prevented) {
            answered.tryFail(breaker.refused());
        } catch (Exception e) {
            // the guard itself failed (a bug): the exchange may not have started, so nothing was sent
            answered.tryFail(e);
        }
        return answered.future();
    }

    private static void check(ToolgateConfig.CircuitBreaker config) {
        String prefix = "toolgate.upstream.circuit-breaker.";
        if (config.requestVolume() < 1) {
            throw new IllegalArgumentException(prefix + "request-volume must be at least 1, was "
                    + config.requestVolume());
        }
        if (!(config.failureRatio() > 0 && config.failureRatio() <= 1)) {
            throw new IllegalArgumentException(prefix + "failure-ratio must be above 0 and at most 1, was "
                    + config.failureRatio());
        }
        if (config.delay().isNegative() || config.delay().isZero()) {
            throw new IllegalArgumentException(prefix + "delay must be positive, was " + config.delay());
        }
        if (config.successThreshold() < 1) {
            throw new IllegalArgumentException(prefix + "success-threshold must be at least 1, was "
                    + config.successThreshold());
        }
    }

    /** One tool's breaker, the state it is in and since when. */
    private final class Breaker {

        private final String tool;
        private final Guard guard;
        private final Counter refusals;
        private volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
        private volatile Instant openedAt = Instant.EPOCH;

        Breaker(String tool) {
            this.tool = tool;
            this.guard = Guard.create()
                    .withDescription("upstream " + tool)
                    .withCircuitBreaker()
                    .requestVolumeThreshold(config.requestVolume())
                    .failureRatio(config.failureRatio())
                    .delay(config.delay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(config.successThreshold())
                    .when(Verdict.Failed.class::isInstance)
                    .onStateChange(this::changed)
                    .done()
                    .withThreadOffload(false)
                    .build();
            for (CircuitBreakerState s : CircuitBreakerState.values()) {
                // the tool label only names tools of the contract, so callers cannot grow the label set
                Gauge.builder("toolgate.upstream.circuit", this, b -> b.state == s ? 1 : 0)
                        .description("Circuit breaker state per upstream tool: 1 for the current state")
                        .tags("tool", tool, "state", code(s))
                        .strongReference(true)
                        .register(meters);
            }
            this.refusals = Counter.builder("toolgate.upstream.circuit.refused")
                    .description("Calls refused without contacting the tool because its circuit breaker was open")
                    .tags("tool", tool)
                    .register(meters);
        }

        private void changed(CircuitBreakerState next) {
            if (next == CircuitBreakerState.OPEN) {
                openedAt = clock.instant();
                LOG.warnf("upstream tool %s keeps failing: circuit breaker open, its calls are refused for %s", tool,
                        config.delay());
            } else if (next == CircuitBreakerState.CLOSED) {
                LOG.infof("upstream tool %s answers again: circuit breaker closed", tool);
            }
            state = next;
        }

        Refused refused() {
            refusals.increment();
            CircuitBreakerState now = state;
            if (now == CircuitBreakerState.HALF_OPEN) {
                return new Refused(tool, now, Optional.empty());
            }
            return new Refused(tool, CircuitBreakerState.OPEN, Optional.of(openedAt.plus(config.delay())));
        }
    }

    static String code(CircuitBreakerState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /**
     * How one guarded exchange ended, for its breaker: settled once, by whoever learns the end first (a later
     * settlement is ignored).
     */
    static class Verdict {

        /** For exchanges without a breaker: settling it does nothing. */
        static final Verdict IGNORED = new Verdict() {
            @Override
            void settle(Throwable fault) {
            }
        };

        private final CompletableFuture<Void> ended = new CompletableFuture<>();

        /** The exchange failed in a way that is the tool's fault (see {@link CircuitBreakers}). */
        void failed(Throwable fault) {
            settle(fault);
        }

        /** The exchange ended with an answer of this HTTP status. */
        void answered(int status) {
            settle(status >= 500 && status <= 599 ? new ServerError(status) : null);
        }

        /** The exchange ended for a reason that says nothing of the tool's health (the agent left, a too large answer). */
        void neutral() {
            settle(null);
        }

        void settle(Throwable fault) {
            if (fault == null) {
                ended.complete(null);
            } else {
                ended.completeExceptionally(new Failed(fault));
            }
        }

        /** What the breaker counts as a failure: the tool's fault, wrapped. */
        static final class Failed extends RuntimeException {
            Failed(Throwable fault) {
                super(fault.toString(), null, false, false);
            }
        }

        /** A complete answer with a 5xx status. */
        static final class ServerError extends RuntimeException {
            ServerError(int status) {
                super("HTTP " + status, null, false, false);
            }
        }
    }

    /** A call refused because its tool's breaker is open (or half-open with its trial calls under way): nothing was sent. */
    public static final class Refused extends RuntimeException {

        private final String tool;
        private final CircuitBreakerState state;
        private final Optional<Instant> retryAt;

        Refused(String tool, CircuitBreakerState state, Optional<Instant> retryAt) {
            super("circuit breaker of " + tool + " is " + code(state), null, false, false);
            this.tool = tool;
            this.state = state;
            this.retryAt = retryAt;
        }

        public String tool() {
            return tool;
        }

        /** {@code open} or {@code half_open}. */
        public String state() {
            return code(state);
        }

        /** When the breaker lets a trial call through; empty while one is under way. */
        public Optional<Instant> retryAt() {
            return retryAt;
        }

        /** Whole seconds until a call may be tried again, at least 1. */
        public long retryAfterSeconds(Instant now) {
            return retryAt.map(at -> Math.max(1, (Duration.between(now, at).toMillis() + 999) / 1000)).orElse(1L);
        }
    }
}
