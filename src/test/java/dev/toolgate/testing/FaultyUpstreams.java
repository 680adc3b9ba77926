package dev.toolgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Real upstreams that misbehave, on free ports of 127.0.0.1, each counting the requests that reached it:
 * <ul>
 * <li>{@code /hang/...}: reads the request and never answers;</li>
 * <li>{@code /trickle/...}: answers 200 at once, then one byte of body every 200 ms for ten seconds;</li>
 * <li>{@code /flaky/...}: answers as {@link #flaky(Mode)} says: 200, 503, 404, or closes the connection unanswered;</li>
 * <li>{@link #resetPort()}: a plain socket that reads the request and resets the connection (RST, no answer).</li>
 * </ul>
 */
public final class FaultyUpstreams implements AutoCloseable {

    /** How {@code /flaky} answers. */
    public enum Mode {
        OK,
        SERVER_ERROR,
        NOT_FOUND,
        CLOSE
    }

    private static final long TRICKLE_INTERVAL_MILLIS = 200;
    private static final int TRICKLE_BYTES = 50;

    private final HttpServer http;
    private final ServerSocket resetting;
    private final Thread resetter;
    private final Map<String, AtomicInteger> arrived = new ConcurrentHashMap<>();
    private final AtomicReference<Mode> flaky = new AtomicReference<>(Mode.OK);
    private final Vertx vertx;

    private FaultyUpstreams(Vertx vertx) throws Exception {
        this.vertx = vertx;
        http = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        resetting = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        resetter = new Thread(this::resetEveryConnection, "faulty-upstream-resetter");
        resetter.setDaemon(true);
        resetter.start();
    }

    public static FaultyUpstreams start(Vertx vertx) throws Exception {
        return new FaultyUpstreams(vertx);
    }

    /** The port of the HTTP upstreams ({@code /hang}, {@code /trickle}, {@code /flaky}). */
    public int httpPort() {
        return http.actualPort();
    }

    /** The port of the upstream that resets every connection. */
    public int resetPort() {
        return resetting.getLocalPort();
    }

    /** How many requests (or, for the resetting upstream, connections) reached an upstream: hang, trickle, flaky, reset. */
    public int arrived(String upstream) {
        AtomicInteger count = arrived.get(upstream);
        return count == null ? 0 : count.get();
    }

    /** Makes {@code /flaky} answer this way from now on. */
    public void flaky(Mode mode) {
        flaky.set(mode);
    }

    private void handle(HttpServerRequest request) {
        String upstream = request.path().split("/", 3).length > 1 ? request.path().split("/", 3)[1] : "";
        arrived.computeIfAbsent(upstream, u -> new AtomicInteger()).incrementAndGet();
        switch (upstream) {
            case "hang" -> {
                // the request is read; the answer never comes
            }
            case "trickle" -> trickle(request);
            case "flaky" -> flaky(request);
            default -> request.response().setStatusCode(404).end();
        }
    }

    private void trickle(HttpServerRequest request) {
        var response = request.response().setChunked(true).putHeader("Content-Type", "application/json");
        response.write("{");
        AtomicInteger left = new AtomicInteger(TRICKLE_BYTES);
        long timer = vertx.setPeriodic(TRICKLE_INTERVAL_MILLIS, id -> {
            if (response.closed() || response.ended()) {
                vertx.cancelTimer(id);
            } else if (left.decrementAndGet() > 0) {
                response.write(" ");
            } else {
                vertx.cancelTimer(id);
                response.end("}");
            }
        });
        request.connection().closeHandler(v -> vertx.cancelTimer(timer));
    }

    private void flaky(HttpServerRequest request) {
        switch (flaky.get()) {
            case OK -> request.response().putHeader("Content-Type", "application/json").end("{\"ok\":true}");
            case SERVER_ERROR -> request.response().setStatusCode(503).end(Buffer.buffer("{\"error\":\"overloaded\"}"));
            case NOT_FOUND -> request.response().setStatusCode(404).end(Buffer.buffer("{\"error\":\"no such item\"}"));
            case CLOSE -> request.connection().close();
        }
    }

    private void resetEveryConnection() {
        while (!resetting.isClosed()) {
            try (Socket socket = resetting.accept()) {
                arrived.computeIfAbsent("reset", u -> new AtomicInteger()).incrementAndGet();
                socket.setSoTimeout(2_000);
                readHead(socket.getInputStream());
                // SO_LINGER 0: close() sends RST instead of FIN, the way a crashing upstream or a middlebox does
                socket.setSoLinger(true, 0);
            } catch (IOException e) {
                // the server socket was closed, or the client gave up first
            }
        }
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        int b;
        while (matched < end.length && (b = in.read()) >= 0) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @Override
    public void close() throws Exception {
        resetting.close();
        http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
