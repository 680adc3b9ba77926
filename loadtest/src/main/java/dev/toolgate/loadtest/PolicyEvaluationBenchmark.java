package dev.toolgate.loadtest;

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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.styra.opa.wasm.OpaPolicy;

import dev.toolgate.policy.OpaEngine;
import dev.toolgate.policy.PolicyBundle;
import dev.toolgate.policy.PolicyInput;

/**
 * The bundled policy ({@code classpath:policy/bundle.tar.gz}, built from {@code policies/}) deciding the demo's
 * refund, with Chicory's compiler (Wasm to JVM bytecode, the JVM default) and its interpreter (the native-image
 * fallback, {@code toolgate.policy.interpreter=true}):
 * <ul>
 * <li>{@code wasm}: the evaluation alone, one SDK instance on the benchmark thread, input JSON text in, result text
 * out;</li>
 * <li>{@code engine}: as the policy stage asks for it, through {@link OpaEngine#evaluate}: the input tree written as
 * text, handed to a policy worker thread, evaluated, the result parsed and handed back.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyEvaluationBenchmark {

    @Param({ "compiled", "interpreted" })
    public String chicory;

    private static final ObjectMapper JSON = new ObjectMapper();

    private OpaEngine engine;
    private OpaPolicy policy;
    private ObjectNode input;
    private String inputText;

    @Setup
    public void start() throws Exception {
        boolean interpreter = chicory.equals("interpreted");
        PolicyBundle bundle = PolicyBundle.load("classpath:policy/bundle.tar.gz");
        engine = OpaEngine.start(bundle, 1, interpreter);
        OpaPolicy.Builder builder = OpaPolicy.builder().withPolicy(bundle.wasm()).withDefaultBuiltins(true);
        if (interpreter) {
            builder.disableCompiler();
        }
        policy = builder.build();
        policy.data(bundle.data());
        policy = policy.entrypoint(OpaEngine.ENTRYPOINT);

        RefundCall refund = new RefundCall();
        input = PolicyInput.of(refund.resolved("policy-benchmark"), refund.context());
        inputText = JSON.writeValueAsString(input);
        // the benchmark measures the allow path: fail loudly if the policy decides otherwise
        JsonNode decision = JSON.readTree(policy.evaluate(inputText)).path(0).path("result");
        if (!decision.path("allow").asBoolean(false) || !engine.evaluate(input).await().indefinitely().path("allow")
                .asBoolean(false)) {
            throw new IllegalStateException("the bundled policy does not allow the refund: " + decision);
        }
    }

    @TearDown
    public void stop() {
        engine.close();
    }

    @Benchmark
    public String wasm() {
        return policy.evaluate(inputText);
    }

    @Benchmark
    public JsonNode engine() {
        return engine.evaluate(input).await().indefinitely();
    }
}
