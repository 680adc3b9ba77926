package dev.toolgate.loadtest;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.ResolvedAction;

/**
 * The canonical (RFC 8785) JSON of the demo refund's arguments and its SHA-256: {@code argsSha256} is one canonical
 * form and its hash ({@link CanonicalJson#sha256}); {@code resolve} is what the contract stage does once per call
 * ({@link ResolvedAction#of}: the arguments' canonical form, its hash, and the hash of the payload an approval and an
 * idempotency key are bound to).
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CanonicalJsonBenchmark {

    private RefundCall refund;

    @Setup
    public void start() {
        refund = new RefundCall();
    }

    @Benchmark
    public String argsSha256() {
        return CanonicalJson.sha256(refund.args);
    }

    @Benchmark
    public ResolvedAction resolve() {
        return ResolvedAction.of(refund.tool, refund.action, refund.args, RefundCall.TENANT);
    }
}
