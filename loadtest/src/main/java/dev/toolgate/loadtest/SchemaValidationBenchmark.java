package dev.toolgate.loadtest;

import java.util.List;
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

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ArgumentSchema;

/**
 * The demo refund's arguments checked against the schema of {@code payments/refunds.create}, compiled once when the
 * contract loads (JSON Schema 2020-12: a pattern, an integer minimum, an e-mail format, a length limit,
 * {@code additionalProperties: false}), as the contract stage checks every call.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SchemaValidationBenchmark {

    private ArgumentSchema schema;
    private ObjectNode args;

    @Setup
    public void start() {
        RefundCall refund = new RefundCall();
        schema = refund.action.schema();
        args = refund.args;
        List<String> violations = schema.validate(args);
        if (!violations.isEmpty()) {
            throw new IllegalStateException("the refund's arguments must be valid: " + violations);
        }
    }

    @Benchmark
    public List<String> validate() {
        return schema.validate(args);
    }
}
