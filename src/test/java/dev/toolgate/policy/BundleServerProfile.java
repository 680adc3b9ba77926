package dev.toolgate.policy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The policy bundle served over HTTP by a bundle server of the test's own (the JDK's HTTP server): it answers with an
 * {@code ETag} and {@code 304} to a matching {@code If-None-Match}, and counts both kinds of answer.
 */
public class BundleServerProfile implements QuarkusTestProfile {

    static final AtomicReference<byte[]> BUNDLE = new AtomicReference<>();
    static final AtomicReference<String> ETAG = new AtomicReference<>("\"v1\"");
    static final AtomicInteger FULL = new AtomicInteger();
    static final AtomicInteger NOT_MODIFIED = new AtomicInteger();
    private static HttpServer server;

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            BUNDLE.set(Files.readAllBytes(Opa.builtBundle()));
            if (server == null) {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                server.createContext("/bundle.tar.gz", exchange -> {
                    String etag = ETAG.get();
                    if (etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                        NOT_MODIFIED.incrementAndGet();
                        exchange.sendResponseHeaders(304, -1);
                    } else {
                        FULL.incrementAndGet();
                        byte[] body = BUNDLE.get();
                        exchange.getResponseHeaders().add("ETag", etag);
                        exchange.sendResponseHeaders(200, body.length);
                        exchange.getResponseBody().write(body);
                    }
                    exchange.close();
                });
                server.start();
            }
        } catch (IOException e) {
            throw new IllegalStateException("the bundle server could not start: " + e, e);
        }
        return Map.of("toolgate.policy.bundle", "http://127.0.0.1:" + server.getAddress().getPort() + "/bundle.tar.gz",
                "toolgate.reload-interval", "100ms");
    }
}
