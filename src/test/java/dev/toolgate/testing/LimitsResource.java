package dev.toolgate.testing;

import java.nio.file.Path;
import java.util.Map;

import dev.toolgate.demo.SampleTools;

/**
 * The limits gateway tests' world: the sample tools, the limits contract, a fresh audit file, and the store named by
 * the {@code store} init arg: {@code embedded} (no Redis configured) or {@code redis} (a real redis-server on a free
 * port, which a test may stop and start again).
 */
public class LimitsResource extends WorldResource {

    private static volatile SampleTools tools;
    private static volatile Path auditFile;
    private static volatile RedisServer redis;

    public LimitsResource() {
        super("limits");
    }

    @Override
    Map<String, String> configure(TestWorld world) throws Exception {
        tools = world.tools;
        auditFile = world.auditFile;
        redis = world.redis;
        Map<String, String> config = world.config("limits.yaml", Map.of());
        config.put("toolgate.limits.lease", "2S");
        config.put("toolgate.limits.sweep-interval", "1S");
        // a full read of the kill switches every 3 s: a change seen within a second came by Pub/Sub
        config.put("toolgate.limits.kill-switch-refresh", "3S");
        return config;
    }

    public static SampleTools tools() {
        return tools;
    }

    public static Path auditFile() {
        return auditFile;
    }

    /** The Redis server, or null when the embedded store is in use. */
    public static RedisServer redis() {
        return redis;
    }
}
