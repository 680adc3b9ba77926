package dev.toolgate.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * toolgate as the operator runs it, a process of its own: {@code java -jar target/quarkus-app/quarkus-run.jar} (built by
 * {@code package}, before failsafe's integration tests run) on free ports, with the configuration given as system
 * properties. A test can kill it ({@code SIGKILL}, no shutdown hook runs), start it again on the same files, and run
 * the offline CLI ({@link #cli}) against what it left.
 */
public final class ToolgateProcess implements AutoCloseable {

    private static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int httpPort;
    private final int managementPort;
    private final Path log;

    private ToolgateProcess(Process process, int httpPort, int managementPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.log = log;
    }

    /**
     * Starts toolgate and waits until it is ready.
     *
     * @param config {@code toolgate.*} and {@code quarkus.*} settings, passed as system properties
     * @param maxFileKib when positive, the largest file the process may write (the shell's {@code ulimit -f}): a write
     *        past it fails with EFBIG, as one on a full disk fails with ENOSPC
     * @param log where the process's output goes (appended)
     */
    public static ToolgateProcess start(Map<String, String> config, long maxFileKib, Path log) throws Exception {
        if (!Files.isRegularFile(APP)) {
            throw new IllegalStateException(APP + " is missing: integration tests run after `package`");
        }
        int[] ports = freePorts(3);
        int httpPort = ports[0];
        int managementPort = ports[1];
        int grpcPort = ports[2];
        List<String> java = new ArrayList<>(List.of(javaExecutable(),
                "-Dquarkus.http.port=" + httpPort, "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.grpc.server.port=" + grpcPort, "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.grpc.server.host=127.0.0.1"));
        config.forEach((key, value) -> java.add("-D" + key + "=" + value));
        java.addAll(List.of("-jar", APP.toString(), "serve"));
        List<String> command = maxFileKib > 0
                ? List.of("bash", "-c", "ulimit -f " + maxFileKib + " && exec \"$@\"", "toolgate")
                : List.of();
        List<String> all = new ArrayList<>(command);
        all.addAll(java);
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(all).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ToolgateProcess toolgate = new ToolgateProcess(process, httpPort, managementPort, log);
        toolgate.awaitReady();
        return toolgate;
    }

    /** {@code http://127.0.0.1:port}, the agents' port. */
    public URI base() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    /** {@code http://127.0.0.1:port}, the management interface (health, metrics). */
    public URI management() {
        return URI.create("http://127.0.0.1:" + managementPort);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** {@code kill -9}: the process ends at once, mid-write if it was writing; no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("toolgate did not die of SIGKILL");
        }
    }

    /** {@code SIGTERM}: a graceful stop (queued audit records are written first). */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    private void awaitReady() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(management().resolve("/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("toolgate exited with " + process.exitValue() + " before it was ready;"
                        + " its output:\n" + Files.readString(log));
            }
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("toolgate was not ready within " + START_TIMEOUT + "; its output:\n"
                + Files.readString(log));
    }

    /** What an offline command printed and how it exited. */
    public record CliResult(int exitCode, String output) {
    }

    /** Runs an offline command ({@code audit verify FILE}, ...) of the built application and waits for it. */
    public static CliResult cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-jar", APP.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("`toolgate " + String.join(" ", args) + "` did not finish");
        }
        return new CliResult(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /** The java that runs the tests runs toolgate too. */
    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Distinct free loopback ports: the sockets are held open together while the ports are read, since a port freed a
     * moment ago may be handed out again (two servers of one Vert.x on one port share it, and split its requests).
     */
    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
