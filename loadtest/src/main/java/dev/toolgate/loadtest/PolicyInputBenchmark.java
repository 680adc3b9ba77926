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

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.policy.PolicyInput;

/**
 * Building the policy input of the demo's refund ({@link PolicyInput#of}): the tree alone ({@code tree}), and the tree
 * written as the JSON text the Wasm module reads ({@code text}, what {@link dev.toolgate.policy.OpaEngine} does before
 * every evaluation).
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyInputBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolCall call;
    private CallContext context;

    @Setup
    public void start() {
        RefundCall refund = new RefundCall();
        call = refund.resolved("input-benchmark");
        context = refund.context();
    }

    @Benchmark
    public ObjectNode tree() {
        return PolicyInput.of(call, context);
    }

    @Benchmark
    public String text() throws Exception {
        return JSON.writeValueAsString(PolicyInput.of(call, context));
    }
}
