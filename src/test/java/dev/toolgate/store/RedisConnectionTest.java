package dev.toolgate.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.testing.RedisServerExtension;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/** The shared connection: scripts by SHA-1, binary arguments, what its failures are, and when there is none. */
class RedisConnectionTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final RedisScript ECHO = RedisScript.fromClasspath("store/echo.lua");

    private static Vertx vertx;
    private static RedisConnection redis;

    @BeforeAll
    static void connect() {
        vertx = Vertx.vertx();
        redis = new RedisConnection(vertx, REDIS.url(), Duration.ofSeconds(5));
    }

    @AfterAll
    static void disconnect() {
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void runsAScriptRedisHasNeverSeenAndPassesBytesAsTheyAre() {
        // given
        REDIS.server().command("SCRIPT", "FLUSH");
        byte[] bytes = { 0, (byte) 0xff, '\r', '\n', (byte) 0xc3 };

        // when
        Response reply = redis.call(() -> redis.eval(ECHO, List.of(), List.of("text", bytes))).await().atMost(WAIT);

        // then
        assertEquals("text", reply.get(0).toString());
        assertArrayEquals(bytes, reply.get(1).toBytes());
        assertEquals(List.of(1L), REDIS.server().command("SCRIPT", "EXISTS", ECHO.sha()), "loaded on NOSCRIPT");
    }

    @Test
    void eachEventLoopTalksToRedisOverConnectionsOfItsOwn() throws Exception {
        // given two event loops (contexts are dealt event loops in turn)
        Context first = ((VertxInternal) vertx).createEventLoopContext();
        Context second = ((VertxInternal) vertx).createEventLoopContext();
        assertNotEquals(onContext(first, () -> Thread.currentThread().getName()),
                onContext(second, () -> Thread.currentThread().getName()));

        // when each asks Redis which connection it is, twice, one call after the other
        long a1 = clientId(first);
        long a2 = clientId(first);
        long b1 = clientId(second);
        long b2 = clientId(second);

        // then an event loop keeps reusing its own connection, and never takes the other's, so that its commands and
        // answers are never handed across to the other event loop and back
        assertEquals(a1, a2);
        assertEquals(b1, b2);
        assertNotEquals(a1, b1, "both event loops used connection " + a1);
    }

    /** The id Redis gives the connection a call from this context reached it over. */
    private static long clientId(Context context) throws Exception {
        CompletableFuture<Long> id = new CompletableFuture<>();
        context.runOnContext(ignored -> redis.send(Request.cmd(Command.CLIENT).arg("ID")).onComplete(answer -> {
            if (answer.succeeded()) {
                id.complete(answer.result().toLong());
            } else {
                id.completeExceptionally(answer.cause());
            }
        }));
        return id.get(5, TimeUnit.SECONDS);
    }

    private static <T> T onContext(Context context, Supplier<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(ignored -> result.complete(task.get()));
        return result.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aScriptRedisRefusesIsABugNotAnOutage() {
        // given
        RedisScript broken = RedisScript.fromClasspath("store/broken.lua");

        // when
        Throwable refused = assertThrows(ScriptRefusedException.class,
                () -> redis.loadAll(List.of(ECHO, broken)).await().atMost(WAIT));

        // then
        assertTrue(refused.getMessage().contains("store/broken.lua"), refused.getMessage());
    }

    @Test
    void anOperationThatRefusesItsArgumentsFailsAsSuch() {
        // when / then
        assertThrows(IllegalArgumentException.class, () -> redis.call(() -> {
            throw new IllegalArgumentException("bad key");
        }).await().atMost(WAIT));
        assertThrows(IllegalArgumentException.class,
                () -> redis.call(() -> redis.eval(ECHO, List.of(), List.of(42))).await().atMost(WAIT));
    }

    @Test
    void aRedisErrorIsAnOutageOfTheStore() {
        // when
        Throwable failed = assertThrows(StoreUnavailableException.class, () -> redis.call(
                () -> Future.<Response> failedFuture(new IllegalStateException("WRONGTYPE"))).await().atMost(WAIT));

        // then
        assertTrue(failed.getMessage().contains("WRONGTYPE"), failed.getMessage());
    }

    @Test
    void refusesATimeoutThatIsNotPositive() {
        assertThrows(IllegalArgumentException.class, () -> new RedisConnection(vertx, REDIS.url(), Duration.ZERO));
    }

    @Test
    void withoutAUrlThereIsNoConnectionAndEveryStoreIsEmbedded() {
        // when
        SharedRedis unset = new SharedRedis(config(Optional.empty()), vertx);
        SharedRedis blank = new SharedRedis(config(Optional.of(" ")), vertx);
        SharedRedis set = new SharedRedis(config(Optional.of(REDIS.url())), vertx);

        // then
        assertEquals(Optional.empty(), unset.connection());
        assertEquals(Optional.empty(), blank.connection());
        assertTrue(set.connection().isPresent());
        assertEquals(Duration.ofMillis(250), set.timeout());
        set.close();
    }

    private static ToolgateConfig config(Optional<String> url) {
        return (ToolgateConfig) Proxy.newProxyInstance(RedisConnectionTest.class.getClassLoader(),
                new Class<?>[] { ToolgateConfig.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "redis" -> url;
                    case "redisTimeout" -> Duration.ofMillis(250);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
