package dev.toolgate.testing;

import java.nio.file.Path;
import java.util.Map;

/**
 * The upstream fault tests' world: misbehaving upstreams ({@link FaultyUpstreams}), the faults contract, a fresh audit
 * file, the embedded stores, and circuit breakers that open quickly: a window of 4 exchanges, half of them failed, open
 * for 2 s.
 */
public class UpstreamFaultsResource extends WorldResource {

    /** The circuit breakers' window and delay, as configured here. */
    public static final int REQUEST_VOLUME = 4;
    public static final long DELAY_MILLIS = 2_000;

    private static volatile FaultyUpstreams upstreams;
    private static volatile Path auditFile;

    public UpstreamFaultsResource() {
        super("faults");
    }

    @Override
    Map<String, String> configure(TestWorld world) throws Exception {
        upstreams = FaultyUpstreams.start(world.vertx);
        auditFile = world.auditFile;
        Map<String, String> config = world.config("faults.yaml", Map.of(
                "FAULTY_PORT", String.valueOf(upstreams.httpPort()),
                "RESET_PORT", String.valueOf(upstreams.resetPort())));
        config.put("toolgate.upstream.circuit-breaker.request-volume", String.valueOf(REQUEST_VOLUME));
        config.put("toolgate.upstream.circuit-breaker.failure-ratio", "0.5");
        config.put("toolgate.upstream.circuit-breaker.delay", DELAY_MILLIS + "MS");
        return config;
    }

    @Override
    void release() {
        if (upstreams != null) {
            try {
                upstreams.close();
            } catch (Exception ignored) {
                // the JVM is ending the test run
            }
        }
    }

    public static FaultyUpstreams upstreams() {
        return upstreams;
    }

    public static Path auditFile() {
        return auditFile;
    }
}
