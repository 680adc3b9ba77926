package dev.toolgate.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.toolgate.call.Reason;
import dev.toolgate.call.Risk;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.pipeline.UpstreamResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.impl.VertxInternal;

/**
 * The one upstream client, against real servers: what a failed exchange becomes, and whether the request left.
 */
class UpstreamClientTest {

    private Vertx vertx;
    private UpstreamClient client;
    private HttpServer server;
    private final AtomicInteger arrived = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        client = new UpstreamClient(vertx, 1024);
        server = vertx.createHttpServer().requestHandler(request -> {
            arrived.incrementAndGet();
            switch (request.path()) {
                case "/slow" -> {
                    // never answers
                }
                case "/big" -> request.response().end(Buffer.buffer(new byte[4096]));
                case "/reset" -> request.connection().close();
                case "/who" -> request.response().end(String.valueOf(request.remoteAddress().port()));
                default -> request.response().putHeader(UpstreamClient.COST_HEADER, "42").end("ok");
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        vertx.close();
    }

    private ToolSpec tool(int port) {
        return new ToolSpec("probe", URI.create("http://127.0.0.1:" + port), Risk.LOW, true, List.of(),
                Duration.ofMillis(500), Duration.ofMillis(300), List.of());
    }

    /** The failure an exchange with this path ends in, or null when it answered. */
    private UpstreamResult.Failed<Object> failure(ToolSpec tool, String path) throws Exception {
        try {
            client.send(tool, HttpMethod.GET, path, List.of(Map.entry("Accept", "*/*")), null, tool.requestTimeout(),
                    null).compose(client::collect).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return UpstreamClient.failure(tool, e.getCause());
        }
    }

    @Test
    void eachEventLoopReachesTheToolOverConnectionsOfItsOwn() throws Exception {
        // given two event loops (contexts are dealt event loops in turn)
        Context first = ((VertxInternal) vertx).createEventLoopContext();
        Context second = ((VertxInternal) vertx).createEventLoopContext();
        String firstThread = onContext(first, () -> Thread.currentThread().getName());
        String secondThread = onContext(second, () -> Thread.currentThread().getName());
        assertNotEquals(firstThread, secondThread);

        // when each asks the tool twice, one call after the other
        ToolSpec tool = tool(server.actualPort());
        String a1 = askWho(first, tool);
        String a2 = askWho(first, tool);
        String b1 = askWho(second, tool);
        String b2 = askWho(second, tool);

        // then an event loop keeps reusing its own connection, and never takes the other's, so that its exchanges are
        // never handed across to the other event loop and back
        assertEquals(a1, a2);
        assertEquals(b1, b2);
        assertNotEquals(a1, b1, "both event loops used the connection from port " + a1);
    }

    /** The client port of the connection a call from this context reached the tool over. */
    private String askWho(Context context, ToolSpec tool) throws Exception {
        CompletableFuture<String> who = new CompletableFuture<>();
        context.runOnContext(ignored -> client.send(tool, HttpMethod.GET, "/who", List.of(), null,
                tool.requestTimeout(), null).compose(client::collect).onComplete(answer -> {
                    if (answer.succeeded()) {
                        who.complete(answer.result().toString());
                    } else {
                        who.completeExceptionally(answer.cause());
                    }
                }));
        return who.get(5, TimeUnit.SECONDS);
    }

    private static <T> T onContext(Context context, Supplier<T> task)
            throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(ignored -> result.complete(task.get()));
        return result.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aToolNothingListensForWasNeverSent() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        UpstreamResult.Failed<Object> failed = failure(tool(closed), "/");
        assertEquals(Reason.UPSTREAM_UNAVAILABLE, failed.denial().reason());
        assertEquals(UpstreamResult.Delivery.NOT_SENT, failed.delivery());
        assertTrue(failed.denial().detail().contains("could not be reached"), failed.denial().detail());
    }

    @Test
    void aToolThatDoesNotAnswerInTimeMayHaveActed() throws Exception {
        UpstreamResult.Failed<Object> failed = failure(tool(server.actualPort()), "/slow");
        assertEquals(Reason.UPSTREAM_TIMEOUT, failed.denial().reason());
        assertEquals(UpstreamResult.Delivery.MAYBE_SENT, failed.delivery());
        assertEquals(1, arrived.get(), "the request reached the tool");
    }

    @Test
    void aToolThatDropsTheConnectionMayHaveActed() throws Exception {
        UpstreamResult.Failed<Object> failed = failure(tool(server.actualPort()), "/reset");
        assertEquals(Reason.UPSTREAM_UNAVAILABLE, failed.denial().reason());
        assertEquals(UpstreamResult.Delivery.MAYBE_SENT, failed.delivery());
    }

    @Test
    void anAnswerOverTheLimitIsRefused() throws Exception {
        UpstreamResult.Failed<Object> failed = failure(tool(server.actualPort()), "/big");
        assertEquals(Reason.UPSTREAM_UNAVAILABLE, failed.denial().reason());
        assertTrue(failed.denial().detail().contains("more than the gateway accepts"), failed.denial().detail());
    }

    @Test
    void readsTheCostTheToolReports() throws Exception {
        // the body is read in the callback that has the answer's head, as the forwarders do: it may follow at once
        String cost = client.send(tool(server.actualPort()), HttpMethod.GET, "/", List.of(), null,
                Duration.ofSeconds(2), null)
                .compose(exchange -> client.collect(exchange).map(body -> {
                    assertInstanceOf(Buffer.class, body);
                    return exchange.response().getHeader(UpstreamClient.COST_HEADER);
                }))
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(42, UpstreamClient.cost(cost).getAsLong());
        assertTrue(UpstreamClient.cost("-1").isEmpty());
        assertTrue(UpstreamClient.cost("1e3").isEmpty());
    }
}
