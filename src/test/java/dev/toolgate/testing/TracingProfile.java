package dev.toolgate.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Tracing on, exported to {@link InMemorySpans} at once (no OTLP endpoint is reached). */
public class TracingProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.enabled", "false",
                "quarkus.otel.bsp.schedule.delay", "20ms",
                "quarkus.otel.traces.sampler", "parentbased_always_on");
    }
}
