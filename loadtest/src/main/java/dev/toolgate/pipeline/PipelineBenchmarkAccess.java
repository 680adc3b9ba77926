package dev.toolgate.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Builds a {@link Pipeline} by hand, outside CDI, for the benchmarks in {@code dev.toolgate.loadtest}: it lives in the
 * pipeline package (in the loadtest project) because the constructors it calls are package-private.
 */
public final class PipelineBenchmarkAccess {

    private PipelineBenchmarkAccess() {
    }

    /**
     * The stages in any order (they run by position), with checked calls held for the default 5-minute lease, at most
     * the default 10,000 per agent.
     */
    public static Pipeline pipeline(List<Stage> stages, AuditLog audit, Active active, MeterRegistry meters) {
        PendingReports pending = new PendingReports(Duration.ofMinutes(5), 10_000, Clock.systemUTC());
        return new Pipeline(stages, audit, active, meters, pending);
    }
}
