package dev.toolgate.limits;

import static dev.toolgate.limits.Calls.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.toolgate.limits.LimitsStore.Budget;
import dev.toolgate.limits.LimitsStore.BudgetState;
import dev.toolgate.limits.LimitsStore.Reserved;
import dev.toolgate.store.RedisConnection;
import dev.toolgate.testing.RedisServerExtension;
import io.vertx.core.Vertx;

/** A Redis that goes away or stops answering: calls fail within the timeout, and work again when it is back. */
class RedisLimitsStoreOutageTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    /** Room for a busy machine; a call that hung would wait for the 5 s of the test's own await. */
    private static final Duration SLACK = Duration.ofMillis(1_500);

    private Vertx vertx;
    private RedisConnection connection;
    private RedisLimitsStore store;
    private final Calls calls = new Calls();
    private final Budget budget = calls.budget("b", 1_000, 100);

    @BeforeEach
    void connect() {
        vertx = Vertx.vertx();
        connection = new RedisConnection(vertx, REDIS.url(), TIMEOUT);
        store = new RedisLimitsStore(connection);
        assertInstanceOf(Reserved.class, await(store.reserve(calls.reserve("before", List.of(budget)))));
    }

    @AfterEach
    void disconnect() {
        REDIS.server().resume();
        connection.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void failsFastWhileRedisIsDownAndWorksAgainWhenItIsBack() {
        // given
        REDIS.server().stop();

        // when
        long start = System.nanoTime();
        Throwable down = assertThrows(LimitsUnavailableException.class,
                () -> store.reserve(calls.reserve("during", List.of(budget))).await().atMost(Duration.ofSeconds(5)));
        Duration failedAfter = Duration.ofNanos(System.nanoTime() - start);
        REDIS.server().restart();
        var after = await(store.reserve(calls.reserve("after", List.of(budget))));

        // then
        assertTrue(failedAfter.compareTo(TIMEOUT.plus(SLACK)) < 0, "failed after " + failedAfter + ": " + down);
        assertInstanceOf(Reserved.class, after, "same store, fresh Redis without scripts: reloaded on NOSCRIPT");
        assertEquals(new BudgetState(1_000, 0, 100), await(store.budget(calls.tenant, budget.key())),
                "the restarted Redis is empty; only the new reservation is there");
    }

    @Test
    void failsWithinTheTimeoutWhenRedisHangsAndRecoversWhenItAnswers() {
        // given
        REDIS.server().pause();

        // when
        long start = System.nanoTime();
        Throwable hung = assertThrows(LimitsUnavailableException.class,
                () -> store.reserve(calls.reserve("hung", List.of(budget))).await().atMost(Duration.ofSeconds(5)));
        Duration failedAfter = Duration.ofNanos(System.nanoTime() - start);
        REDIS.server().resume();

        // then
        assertTrue(failedAfter.compareTo(TIMEOUT) >= 0 && failedAfter.compareTo(TIMEOUT.plus(SLACK)) < 0,
                "failed after " + failedAfter + ": " + hung);
        assertInstanceOf(Reserved.class, await(store.reserve(calls.reserve("after", List.of(budget)))));
    }

    @Test
    void aWatchHearsEveryChangeAndWatchesAgainOnceRedisIsBack() throws Exception {
        // given: an instance watching, and another one that changes switches
        List<String> changed = new CopyOnWriteArrayList<>();
        AtomicInteger watching = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        RedisConnection other = new RedisConnection(vertx, REDIS.url(), TIMEOUT);
        try (AutoCloseable watch = store.watchKillSwitches(changed::add, watching::incrementAndGet,
                lost::incrementAndGet)) {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> watching.get() == 1);
            RedisLimitsStore changer = new RedisLimitsStore(other);

            // when
            await(changer.kill(calls.tenant, "tool:payments", Optional.of("incident 42")));
            Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> changed.size() == 1);
            REDIS.server().stop();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> lost.get() == 1);
            REDIS.server().restart();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> watching.get() == 2);
            await(changer.kill(calls.tenant, "tool:payments", Optional.empty()));

            // then
            Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> changed.size() == 2);
            assertEquals(List.of(calls.tenant, calls.tenant), changed);
        } finally {
            other.close();
        }
    }
}
