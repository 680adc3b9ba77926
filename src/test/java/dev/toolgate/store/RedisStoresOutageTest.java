package dev.toolgate.store;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.toolgate.approval.ApprovalStore;
import dev.toolgate.approval.ApprovalStore.Approval;
import dev.toolgate.approval.RedisApprovalStore;
import dev.toolgate.call.ApprovalTier;
import dev.toolgate.idempotency.IdempotencyKeys;
import dev.toolgate.idempotency.IdempotencyStore;
import dev.toolgate.idempotency.RedisIdempotencyStore;
import dev.toolgate.testing.RedisServerExtension;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * A Redis that goes away or stops answering, under the approval and idempotency stores on one shared connection:
 * their calls fail within the timeout, and the same stores work again when Redis is back (the limits store on the
 * same connection has its own outage test).
 */
class RedisStoresOutageTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    /** How late a failure may arrive after the timeout on a busy machine. */
    private static final Duration SLACK = Duration.ofMillis(400);

    private final String tenant = "t-" + UUID.randomUUID();
    private final String key = IdempotencyKeys.record(tenant, "bot", "payments", "k1");
    private Vertx vertx;
    private RedisConnection connection;
    private ApprovalStore approvals;
    private IdempotencyStore idempotency;

    @BeforeEach
    void connect() {
        vertx = Vertx.vertx();
        connection = new RedisConnection(vertx, REDIS.url(), TIMEOUT);
        approvals = new RedisApprovalStore(connection, Clock.systemUTC());
        idempotency = new RedisIdempotencyStore(connection);
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

        // when / then: every call fails within the timeout
        failsWithinTheTimeout(approvals.open(request()));
        failsWithinTheTimeout(approvals.pending(tenant, Optional.empty(), Instant.now()));
        failsWithinTheTimeout(idempotency.begin(tenant, key, "sha", "d1", Duration.ofMinutes(1), Instant.now()));

        // when
        REDIS.server().restart();
        Approval request = request();
        approvals.open(request).await().atMost(Duration.ofSeconds(5));

        // then: the same stores, a fresh Redis without scripts
        assertTrue(approvals.get(tenant, request.id()).await().atMost(Duration.ofSeconds(5)).isPresent());
        assertInstanceOf(IdempotencyStore.Begun.Started.class, idempotency.begin(tenant, key, "sha", "d1",
                Duration.ofMinutes(1), Instant.now()).await().atMost(Duration.ofSeconds(5)));
    }

    @Test
    void failsWithinTheTimeoutWhenRedisHangsAndRecoversWhenItAnswers() {
        // given
        Approval request = request();
        approvals.open(request).await().atMost(Duration.ofSeconds(5));
        REDIS.server().pause();

        // when / then
        failsWithinTheTimeout(approvals.redeem(tenant, request.id(),
                new ApprovalStore.Redemption("bot", "", "sha", "d-1", Optional.empty()), Instant.now()));
        failsWithinTheTimeout(idempotency.abandon(tenant, key, "d1"));

        // when
        REDIS.server().resume();

        // then
        assertInstanceOf(ApprovalStore.Redeemed.Invalid.class, approvals.redeem(tenant, request.id(),
                new ApprovalStore.Redemption("bot", "", "sha", "d-1", Optional.empty()), Instant.now()).await()
                .atMost(Duration.ofSeconds(5)));
    }

    private static void failsWithinTheTimeout(Uni<?> call) {
        long start = System.nanoTime();
        Throwable failure = assertThrows(StoreUnavailableException.class,
                () -> call.await().atMost(Duration.ofSeconds(5)));
        Duration failedAfter = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(failedAfter.compareTo(TIMEOUT.plus(SLACK)) < 0, "failed after " + failedAfter + ": " + failure);
    }

    private Approval request() {
        Instant now = Instant.now();
        return new Approval(UUID.randomUUID().toString(), tenant, "bot", "", "payments", "refunds.create", "sha",
                JsonNodeFactory.instance.objectNode(), List.of(), ApprovalTier.REQUIRED, false, now,
                now.plus(Duration.ofHours(1)), ApprovalStore.State.PENDING, List.of(), Optional.empty());
    }
}
