package dev.toolgate.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Jaeger (v2, the {@code jaeger} program built by {@code .ci/prereqs.sh}; the system property
 * {@code test.jaeger} names it) on loopback ports of its own: an OTLP/HTTP receiver and the query API, traces kept in
 * memory, no other listener. {@link #trace} reads a trace back through the query API.
 */
public final class JaegerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int otlpPort;
    private final int queryPort;
    private final HttpClient http = HttpClient.newHttpClient();

    private JaegerProcess(Process process, int otlpPort, int queryPort) {
        this.process = process;
        this.otlpPort = otlpPort;
        this.queryPort = queryPort;
    }

    /** Starts Jaeger with its files and output in {@code dir} and waits until it takes and answers requests. */
    public static JaegerProcess start(Path dir) throws Exception {
        int otlp;
        int query;
        try (ServerSocket a = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                ServerSocket b = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            otlp = a.getLocalPort();
            query = b.getLocalPort();
        }
        Files.createDirectories(dir);
        Path config = dir.resolve("jaeger.yaml");
        Files.writeString(config, """
                service:
                  extensions: [jaeger_storage, jaeger_query]
                  pipelines:
                    traces:
                      receivers: [otlp]
                      processors: [batch]
                      exporters: [jaeger_storage_exporter]
                  telemetry:
                    metrics:
                      level: none
                extensions:
                  jaeger_storage:
                    backends:
                      memstore:
                        memory:
                          max_traces: 10000
                  jaeger_query:
                    storage:
                      traces: memstore
                    enable_tracing: false
                    http:
                      endpoint: "127.0.0.1:%d"
                    grpc:
                      endpoint: "127.0.0.1:0"
                receivers:
                  otlp:
                    protocols:
                      http:
                        endpoint: "127.0.0.1:%d"
                processors:
                  batch:
                    timeout: 100ms
                exporters:
                  jaeger_storage_exporter:
                    trace_storage: memstore
                """.formatted(query, otlp));
        String executable = System.getProperty("test.jaeger", "jaeger");
        Process process = new ProcessBuilder(executable, "--config", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("jaeger.log").toFile())).start();
        JaegerProcess jaeger = new JaegerProcess(process, otlp, query);
        jaeger.awaitReady(dir);
        return jaeger;
    }

    /** Where toolgate exports: {@code http://127.0.0.1:port} (OTLP over HTTP). */
    public String otlpEndpoint() {
        return "http://127.0.0.1:" + otlpPort;
    }

    /** The trace as Jaeger's query API ({@code /api/traces/{id}}) answers it, once it has it. */
    public Optional<JsonNode> trace(String traceId) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + queryPort + "/api/traces/" + traceId)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 404) {
            return Optional.empty();
        }
        if (answer.statusCode() != 200) {
            throw new IOException("jaeger answered " + answer.statusCode() + ": " + answer.body());
        }
        return Optional.of(JSON.readTree(answer.body()).path("data").path(0));
    }

    private void awaitReady(Path dir) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("jaeger exited " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("jaeger.log")));
            }
            // the query API answers once storage is up; the OTLP receiver starts last and answers GET with 405
            if (status("http://127.0.0.1:" + queryPort + "/api/services") == 200
                    && status("http://127.0.0.1:" + otlpPort + "/v1/traces") == 405) {
                return;
            }
            Thread.sleep(50);
        }
        close();
        throw new IllegalStateException("jaeger was not ready within " + START_TIMEOUT + ": "
                + Files.readString(dir.resolve("jaeger.log")));
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
