package dev.toolgate.policy;

import dev.toolgate.pipeline.Stage;

/** The policy stage built by hand for the benchmarks (its constructor is package-private). */
public final class PolicyBenchmarkAccess {

    private PolicyBenchmarkAccess() {
    }

    public static Stage stage(OpaEngine engine) {
        return new PolicyStage(engine);
    }
}
