package dev.toolgate.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.toolgate.demo.SampleTools;
import io.vertx.core.Vertx;

/**
 * What every gateway test resource starts before Quarkus: a Vert.x, the real sample tools on free ports, a fresh
 * directory with the contract written from its template, the audit file, and, for the {@code redis} store, a real
 * redis-server.
 */
final class TestWorld implements AutoCloseable {

    final Vertx vertx;
    final SampleTools tools;
    final Path dir;
    final Path auditFile;
    /** The Redis server, or null for the embedded stores. */
    final RedisServer redis;

    private TestWorld(String name, String store) throws Exception {
        vertx = Vertx.vertx();
        tools = SampleTools.start(vertx, 0, 0);
        dir = Path.of("target", "test-" + name, UUID.randomUUID().toString()).toAbsolutePath();
        Files.createDirectories(dir);
        auditFile = dir.resolve("audit.jsonl");
        redis = switch (store) {
            case "redis" -> RedisServer.start();
            case "redis-persistent" -> RedisServer.startPersistent(dir.resolve("redis"));
            default -> null;
        };
    }

    /**
     * Starts a world whose files live under {@code target/test-<name>/}; {@code store} is embedded, redis, or
     * redis-persistent (a Redis that keeps its data across a kill and restart).
     */
    static TestWorld start(String name, String store) throws Exception {
        return new TestWorld(name, store);
    }

    /**
     * The configuration every resource sets: the contract (the template with the tools' URLs, {@code CLOSED_PORT} (a
     * loopback port nothing listens on) and {@code more} placeholders filled in), the audit file and, with Redis, its URL.
     */
    Map<String, String> config(String template, Map<String, String> more) throws Exception {
        // two distinct ports: one nothing listens on, one for toolgate's gRPC server
        int[] ports;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0);
                java.net.ServerSocket grpc = new java.net.ServerSocket(0)) {
            ports = new int[] { closed.getLocalPort(), grpc.getLocalPort() };
        }
        String text = Files.readString(Path.of("src/test/resources/contracts", template))
                .replace("${PAYMENTS_URL}", "http://127.0.0.1:" + tools.paymentsPort())
                .replace("${DEPLOY_URL}", "http://127.0.0.1:" + tools.deployPort())
                .replace("${CLOSED_PORT}", String.valueOf(ports[0]));
        for (Map.Entry<String, String> placeholder : more.entrySet()) {
            text = text.replace("${" + placeholder.getKey() + "}", placeholder.getValue());
        }
        Path contract = dir.resolve("contract.yaml");
        Files.writeString(contract, text, StandardCharsets.UTF_8);
        Map<String, String> config = new HashMap<>();
        config.put("toolgate.contract", contract.toString());
        config.put("toolgate.audit.path", auditFile.toString());
        // the gRPC port, chosen here so that the tests' gRPC client ("toolgate") knows it
        String grpcPort = String.valueOf(ports[1]);
        config.put("quarkus.grpc.server.test-port", grpcPort);
        config.put("quarkus.grpc.clients.toolgate.host", "127.0.0.1");
        config.put("quarkus.grpc.clients.toolgate.port", grpcPort);
        config.put("quarkus.grpc.clients.toolgate.test-port", grpcPort);
        if (redis != null) {
            config.put("toolgate.redis", redis.url());
        }
        return config;
    }

    @Override
    public void close() {
        try {
            tools.close();
        } catch (Exception ignored) {
            // the JVM is ending the test run
        }
        if (redis != null) {
            redis.close();
        }
        vertx.close();
    }
}
