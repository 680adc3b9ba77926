package dev.toolgate.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.toolgate.demo.SampleTools;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;

/**
 * The limits gateway tests' world: the sample tools, the limits contract, a fresh audit file, and the store named by
 * the {@code store} init arg: {@code embedded} (no Redis configured) or {@code redis} (a real redis-server on a free
 * port, which a test may stop and start again).
 */
public class LimitsResource implements QuarkusTestResourceLifecycleManager {

    private static volatile SampleTools tools;
    private static volatile Path auditFile;
    private static volatile RedisServer redis;
    private Vertx vertx;
    private String store = "embedded";

    @Override
    public void init(Map<String, String> initArgs) {
        store = initArgs.getOrDefault("store", "embedded");
    }

    @Override
    public Map<String, String> start() {
        try {
            vertx = Vertx.vertx();
            tools = SampleTools.start(vertx, 0, 0);
            Path dir = Path.of("target", "test-limits", UUID.randomUUID().toString()).toAbsolutePath();
            Files.createDirectories(dir);
            String template = Files.readString(Path.of("src/test/resources/contracts/limits.yaml"));
            Path contract = dir.resolve("contract.yaml");
            Files.writeString(contract, template
                    .replace("${PAYMENTS_URL}", "http://127.0.0.1:" + tools.paymentsPort())
                    .replace("${DEPLOY_URL}", "http://127.0.0.1:" + tools.deployPort()), StandardCharsets.UTF_8);
            auditFile = dir.resolve("audit.jsonl");
            Map<String, String> config = new HashMap<>(Map.of(
                    "toolgate.contract", contract.toString(),
                    "toolgate.audit.path", auditFile.toString(),
                    "toolgate.limits.lease", "2S",
                    "toolgate.limits.sweep-interval", "1S"));
            if (store.equals("redis")) {
                redis = RedisServer.start();
                config.put("toolgate.redis", redis.url());
            } else {
                redis = null;
            }
            return config;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the limits test resources", e);
        }
    }

    @Override
    public void stop() {
        try {
            if (tools != null) {
                tools.close();
            }
        } catch (Exception ignored) {
            // the JVM is ending the test run
        }
        if (redis != null) {
            redis.close();
        }
        if (vertx != null) {
            vertx.close();
        }
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
