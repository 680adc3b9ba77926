package dev.toolgate.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process on a free port of 127.0.0.1, without persistence ({@link #startPersistent}: with
 * an append-only file), that a test can stop, restart on the same port, pause ({@code SIGSTOP}, a Redis that no longer
 * answers) and resume. {@link #command} is a tiny synchronous client for looking at what the code under test wrote.
 */
public final class RedisServer implements AutoCloseable {

    private static final long START_TIMEOUT_MILLIS = 10_000;

    private final int port;
    private final Path log;
    /** Where the append-only file lives, or null for a server without persistence. */
    private final Path data;
    private Process process;

    private RedisServer(int port, Path data) {
        this.port = port;
        this.log = Path.of("target", "test-redis", "redis-" + port + ".log").toAbsolutePath();
        this.data = data;
    }

    /** Starts a server on a free port and waits until it answers PING. */
    public static RedisServer start() {
        RedisServer server = new RedisServer(freePort(), null);
        server.launch();
        return server;
    }

    /**
     * Starts a server on a free port that appends every write to a file in {@code data} and syncs it before answering
     * ({@code appendfsync always}), so that a server killed and started again ({@link #restart}) holds every write it
     * acknowledged.
     */
    public static RedisServer startPersistent(Path data) {
        RedisServer server = new RedisServer(freePort(), data.toAbsolutePath());
        server.launch();
        return server;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:port} */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server (as a crash would: no goodbye to clients) and waits until it is gone. */
    public void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /**
     * Starts the server again on the same port. It knows no scripts; without persistence it holds no keys, with it every
     * write it acknowledged before.
     */
    public void restart() {
        stop();
        launch();
    }

    /** Freezes the process: connections stay open and nothing answers. */
    public void pause() {
        signal("-STOP");
    }

    public void resume() {
        signal("-CONT");
    }

    /**
     * Sends one command and answers its reply: a String (simple or bulk), a Long, a List of replies, or null.
     *
     * @throws IllegalStateException for an error reply
     */
    public Object command(String... args) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()));
        } catch (IOException e) {
            throw new IllegalStateException("redis-server on port " + port + " did not answer " + args[0], e);
        }
    }

    @Override
    public void close() {
        resume();
        stop();
    }

    private void launch() {
        try {
            Files.createDirectories(log.getParent());
            List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
                    "127.0.0.1", "--save", ""));
            if (data == null) {
                command.addAll(List.of("--appendonly", "no"));
            } else {
                Files.createDirectories(data);
                command.addAll(List.of("--dir", data.toString(), "--appendonly", "yes", "--appendfsync", "always"));
            }
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("could not run redis-server (is it installed?)", e);
        }
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (true) {
            try {
                if ("PONG".equals(command("PING"))) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                    stop();
                    throw new IllegalStateException("redis-server did not start on port " + port + "; see " + log,
                            notYet);
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private void signal(String signal) {
        if (process == null) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not send " + signal + " to redis-server", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IllegalStateException("redis: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length);
                line(in);
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default:
                throw new IOException("unexpected reply type " + type);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            line.append((char) c);
        }
        in.read();
        return line.toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
