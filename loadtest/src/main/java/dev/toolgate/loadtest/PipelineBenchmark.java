package dev.toolgate.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.toolgate.approval.ApprovalBenchmarkAccess;
import dev.toolgate.audit.FileAuditLog;
import dev.toolgate.call.Denial;
import dev.toolgate.call.ToolCall;
import dev.toolgate.contract.ContractStage;
import dev.toolgate.identity.IdentityBenchmarkAccess;
import dev.toolgate.idempotency.IdempotencyBenchmarkAccess;
import dev.toolgate.limits.LimitsBenchmarkAccess;
import dev.toolgate.pipeline.Active;
import dev.toolgate.pipeline.ApprovalEvent;
import dev.toolgate.pipeline.AuditLog;
import dev.toolgate.pipeline.Outcome;
import dev.toolgate.pipeline.Pipeline;
import dev.toolgate.pipeline.PipelineBenchmarkAccess;
import dev.toolgate.pipeline.Upstream;
import dev.toolgate.pipeline.UpstreamResult;
import dev.toolgate.policy.OpaEngine;
import dev.toolgate.policy.PolicyBenchmarkAccess;
import dev.toolgate.policy.PolicyBundle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The demo's refund through the whole in-process pipeline on the allow path, as the HTTP ingress hands it over on a
 * Vert.x event loop: every stage of the gateway (identify by API key, run pin, contract with schema validation, kill
 * switches, policy with the bundled policy on Chicory's compiler and one policy worker per core, approval, limits with
 * a budget reservation and its settlement, idempotency) with the embedded stores, the intent and outcome audit records,
 * and an upstream that answers at once without any I/O. No HTTP: the cost of the pipeline, not of the server.
 * <p>
 * {@code audit=fsync}: the records go through {@link FileAuditLog} to a file in a temporary directory, fsync included
 * (two durable records per call, one group commit each with one caller). {@code audit=none}: an audit log that
 * acknowledges every record at once, to show what the stages cost without the disk.
 */
@State(Scope.Benchmark)
@Fork(1)
// a call takes hundreds of microseconds, so JIT compilation needs more seconds of calls than the other pieces
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PipelineBenchmark {

    @Param({ "fsync", "none" })
    public String audit;

    private static final Upstream<String> NO_OP = call -> Uni.createFrom()
            .item(new UpstreamResult.Replied<>("{\"refund\":\"re_1\"}", "201"));

    private Vertx vertx;
    private Context eventLoop;
    private OpaEngine engine;
    private Path directory;
    private FileAuditLog file;
    private Pipeline pipeline;
    private long sequence;

    @Setup
    public void start() throws IOException {
        // Mutiny's context propagation initialises itself on first use; outside Quarkus do it once, here
        Uni.createFrom().item(() -> 0).await().indefinitely();
        vertx = Vertx.vertx();
        eventLoop = vertx.getOrCreateContext();
        AuditLog log;
        if (audit.equals("fsync")) {
            directory = Files.createTempDirectory("toolgate-pipeline-benchmark");
            file = new FileAuditLog(directory.resolve("audit.jsonl"), 256, Clock.systemUTC());
            log = file;
        } else {
            log = new AcknowledgingAuditLog();
        }
        engine = OpaEngine.start(PolicyBundle.load("classpath:policy/bundle.tar.gz"), 0, false);
        Active active = new Active();
        active.publish(new RefundCall().contract);
        active.publishPolicyRevision(engine.revision());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        pipeline = PipelineBenchmarkAccess.pipeline(List.of(IdentityBenchmarkAccess.identity(),
                IdentityBenchmarkAccess.runPin(), new ContractStage(), LimitsBenchmarkAccess.killSwitches(),
                PolicyBenchmarkAccess.stage(engine), ApprovalBenchmarkAccess.stage(log, vertx),
                LimitsBenchmarkAccess.limits(log, meters), IdempotencyBenchmarkAccess.stage()), log, active, meters);
        Outcome<String> first = call();
        if (!(first instanceof Outcome.Answered<String>)) {
            throw new IllegalStateException("the refund must take the allow path, but it ended " + first);
        }
    }

    @TearDown
    public void stop() throws IOException {
        engine.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
        if (file != null) {
            file.close();
            try (var files = Files.list(directory)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(directory);
        }
    }

    @Benchmark
    public Outcome<String> allow() {
        return call();
    }

    /** The same calls one after another: calls per second of one caller. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Outcome<String> allowThroughput() {
        return call();
    }

    private Outcome<String> call() {
        ToolCall received = RefundCall.received("pipeline-" + sequence++);
        CompletableFuture<Outcome<String>> done = new CompletableFuture<>();
        eventLoop.runOnContext(ignored -> pipeline.handle(received, NO_OP)
                .subscribe().with(done::complete, done::completeExceptionally));
        return done.join();
    }

    /** An audit log that keeps nothing and acknowledges every record at once. */
    private static final class AcknowledgingAuditLog implements AuditLog {

        @Override
        public Uni<Void> intent(ToolCall call, String policyRevision) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> outcome(ToolCall call, String policyRevision, String status, Optional<Denial> failure) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> denied(ToolCall call, String policyRevision, Denial denial) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> proposed(ToolCall call, String policyRevision, Optional<Denial> denial) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> approval(ApprovalEvent event) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> replayed(ToolCall call, String policyRevision, String originalDecisionId) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> failOpen(ToolCall call, String policyRevision, String stage, String detail) {
            return Uni.createFrom().voidItem();
        }
    }
}
