package dev.toolgate.testing;

import java.nio.file.Path;
import java.util.Map;

import dev.toolgate.demo.SampleTools;

/**
 * The Redis outage tests' world: the sample tools, a contract with one tool per store (see
 * {@code contracts/redis-outage.yaml}), a fresh audit file, and a real redis-server that keeps its data across a kill
 * (append-only file, synced on every write), which the tests pause, kill and start again. Leases of 2 s swept every
 * second, an idempotency key in flight for at most 2 s, so that what an outage leaves behind is cleared within the
 * test.
 */
public class RedisOutageResource extends WorldResource {

    private static volatile SampleTools tools;
    private static volatile Path auditFile;
    private static volatile RedisServer redis;

    public RedisOutageResource() {
        super("redis-outage");
    }

    @Override
    public void init(Map<String, String> initArgs) {
        super.init(Map.of("store", "redis-persistent"));
    }

    @Override
    Map<String, String> configure(TestWorld world) throws Exception {
        tools = world.tools;
        auditFile = world.auditFile;
        redis = world.redis;
        Map<String, String> config = world.config("redis-outage.yaml", Map.of());
        config.put("toolgate.limits.lease", "2S");
        config.put("toolgate.limits.sweep-interval", "1S");
        config.put("toolgate.idempotency.in-flight-lease", "2S");
        return config;
    }

    public static SampleTools tools() {
        return tools;
    }

    public static Path auditFile() {
        return auditFile;
    }

    public static RedisServer redis() {
        return redis;
    }
}
