package dev.toolgate.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.toolgate.limits.EmbeddedLimitsStore;
import dev.toolgate.limits.LimitsStore;
import dev.toolgate.limits.LimitsStore.ReserveRequest;
import dev.toolgate.limits.LimitsStore.ReserveResult;
import dev.toolgate.limits.LimitsStore.Reserved;
import dev.toolgate.limits.LimitsStore.SettleRequest;
import dev.toolgate.limits.LimitsStore.SettleResult;
import dev.toolgate.limits.RedisLimitsStore;
import dev.toolgate.store.RedisConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Reservations through each limits store: {@code reserveAndSettle} is the throughput of a call's two limits round
 * trips, {@code reserve} the latency of one reservation (its settle runs after the measured part, in a per-invocation
 * tear-down). Each benchmark thread waits for its answer before the next call, so N threads are N calls in flight.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class LimitsBenchmark {

    @Param({ "redis", "embedded" })
    public String store;

    private static final Duration WAIT = Duration.ofSeconds(10);
    static final int IN_FLIGHT = 64;

    private RedisProcess redis;
    private Vertx vertx;
    private RedisConnection connection;
    LimitsStore limits;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void start() throws Exception {
        // Mutiny's context propagation initialises itself on first use and, outside Quarkus (which does it at boot),
        // fails when several threads race to do it ("ContextManagerProvider already set"): do it here, once
        Uni.createFrom().item(() -> 0).await().indefinitely();
        if (store.equals("redis")) {
            redis = new RedisProcess();
            vertx = Vertx.vertx();
            connection = new RedisConnection(vertx, redis.url(), Duration.ofSeconds(5));
            limits = new RedisLimitsStore(connection);
        } else {
            limits = new EmbeddedLimitsStore();
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (redis != null) {
            connection.close();
            vertx.close().toCompletionStage().toCompletableFuture().join();
            redis.close();
        }
    }

    /** One benchmark thread's workload. */
    @State(Scope.Thread)
    public static class Caller {

        Workload workload;

        @Setup(Level.Trial)
        public void start(LimitsBenchmark benchmark) {
            workload = new Workload("t" + benchmark.threads.incrementAndGet());
        }
    }

    /** One benchmark thread's workload whose reservation is settled outside the measured part. */
    @State(Scope.Thread)
    public static class LatencyCaller extends Caller {

        boolean open;

        @TearDown(Level.Invocation)
        public void settleOpen(LimitsBenchmark benchmark) {
            if (open) {
                open = false;
                check(benchmark.limits.settle(workload.settleLast()).await().atMost(WAIT) == SettleResult.SETTLED);
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public SettleResult reserveAndSettle(Caller caller) {
        check(limits.reserve(caller.workload.next()).await().atMost(WAIT) instanceof Reserved);
        return limits.settle(caller.workload.settleLast()).await().atMost(WAIT);
    }

    /**
     * {@value #IN_FLIGHT} calls in flight from one thread, as an event loop would have them: the capacity of the store
     * rather than the latency of one caller. Counted per call.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(IN_FLIGHT)
    public List<SettleResult> reserveAndSettleInFlight(Caller caller) {
        List<Uni<SettleResult>> calls = new ArrayList<>(IN_FLIGHT);
        for (int i = 0; i < IN_FLIGHT; i++) {
            ReserveRequest request = caller.workload.next();
            SettleRequest settle = caller.workload.settleLast();
            calls.add(limits.reserve(request).chain(result -> {
                check(result instanceof Reserved);
                return limits.settle(settle);
            }));
        }
        return Uni.join().all(calls).andFailFast().await().atMost(WAIT);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public ReserveResult reserve(LatencyCaller caller) {
        ReserveResult result = limits.reserve(caller.workload.next()).await().atMost(WAIT);
        check(result instanceof Reserved);
        caller.open = true;
        return result;
    }

    private static void check(boolean ok) {
        if (!ok) {
            throw new IllegalStateException("a benchmark call was refused: the workload must never hit a limit");
        }
    }
}
