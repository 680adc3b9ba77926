package dev.toolgate.approval;

import static dev.toolgate.approval.Requests.approve;
import static dev.toolgate.approval.Requests.await;
import static dev.toolgate.approval.Requests.redemption;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.toolgate.approval.ApprovalStore.Approval;
import dev.toolgate.approval.ApprovalStore.Decided;
import dev.toolgate.approval.ApprovalStore.Redeemed;
import dev.toolgate.approval.ApprovalStore.State;
import dev.toolgate.call.ApprovalTier;
import dev.toolgate.store.RedisConnection;
import dev.toolgate.testing.RedisServerExtension;
import io.vertx.core.Vertx;

/**
 * The contract on Redis, plus what only Redis shows: the keys and their expiry, two instances sharing requests, and
 * scripts that Redis forgot.
 */
class RedisApprovalStoreTest extends ApprovalStoreContractTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static Vertx vertx;
    private static RedisConnection first;
    private static RedisConnection second;
    private static RedisApprovalStore store;
    private static RedisApprovalStore otherInstance;

    @BeforeAll
    static void connect() {
        vertx = Vertx.vertx();
        first = new RedisConnection(vertx, REDIS.url(), Duration.ofSeconds(5));
        second = new RedisConnection(vertx, REDIS.url(), Duration.ofSeconds(5));
        store = new RedisApprovalStore(first, Clock.systemUTC());
        otherInstance = new RedisApprovalStore(second, Clock.systemUTC());
    }

    @AfterAll
    static void disconnect() {
        first.close();
        second.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Override
    ApprovalStore store() {
        return store;
    }

    @Test
    void keepsOneHashPerRequestAndAPendingSetThatExpireADayAfterTheRequest() {
        // given
        Approval request = requests.request("payments", ApprovalTier.DUAL, true);
        String key = "tg:{" + requests.tenant + "}:approval:" + request.id();
        String pending = "tg:{" + requests.tenant + "}:approvals:pending";

        // when
        await(store.open(request));

        // then
        long expiry = request.expiresAt().plus(Duration.ofDays(1)).toEpochMilli();
        assertEquals(expiry, REDIS.server().command("PEXPIRETIME", key));
        assertEquals(expiry, REDIS.server().command("PEXPIRETIME", pending));
        assertEquals("pending", REDIS.server().command("HGET", key, "state"));
        assertEquals(List.of(request.id()), REDIS.server().command("ZRANGE", pending, "0", "-1"));
    }

    @Test
    void thePendingSetLivesAsLongAsItsLongestLivedRequest() {
        // given
        Approval longer = requests.request("payments", ApprovalTier.REQUIRED, false, requests.now,
                requests.now.plus(Duration.ofHours(5)));
        Approval shorter = requests.request("payments", ApprovalTier.REQUIRED, false);
        String pending = "tg:{" + requests.tenant + "}:approvals:pending";

        // when
        await(store.open(longer));
        await(store.open(shorter));

        // then
        assertEquals(longer.expiresAt().plus(Duration.ofDays(1)).toEpochMilli(),
                REDIS.server().command("PEXPIRETIME", pending));
    }

    @Test
    void aRequestOpenedOnOneInstanceIsDecidedAndRedeemedOnAnother() {
        // given
        Approval request = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store.open(request));

        // when
        Decided decided = await(otherInstance.decide(requests.tenant, request.id(), approve("alice"), requests.now));
        Redeemed redeemed = await(store.redeem(requests.tenant, request.id(), redemption(), requests.now));

        // then
        assertInstanceOf(Decided.Recorded.class, decided);
        assertInstanceOf(Redeemed.Ok.class, redeemed);
        assertEquals(State.REDEEMED, await(otherInstance.get(requests.tenant, request.id())).orElseThrow().state());
    }

    @Test
    void dropsIdsWhoseRequestRedisHasExpired() {
        // given
        Approval request = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store.open(request));
        String pending = "tg:{" + requests.tenant + "}:approvals:pending";

        // when
        REDIS.server().command("DEL", "tg:{" + requests.tenant + "}:approval:" + request.id());
        List<Approval> listed = await(store.pending(requests.tenant, Optional.empty(), requests.now));

        // then
        assertEquals(List.of(), listed);
        assertEquals(0L, REDIS.server().command("ZCARD", pending));
    }

    @Test
    void reloadsItsScriptsWhenRedisForgetsThem() {
        // given
        Approval request = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store.open(request));

        // when
        REDIS.server().command("SCRIPT", "FLUSH");
        Decided decided = await(store.decide(requests.tenant, request.id(), approve("alice"), requests.now));

        // then
        assertInstanceOf(Decided.Recorded.class, decided);
        assertEquals(List.of(1L), REDIS.server().command("SCRIPT", "EXISTS", RedisApprovalStore.DECIDE.sha()));
    }

    @Test
    void loadsEveryScript() {
        // given
        REDIS.server().command("SCRIPT", "FLUSH");

        // when
        await(store.loadScripts());

        // then
        for (var script : RedisApprovalStore.ALL) {
            assertEquals(List.of(1L), REDIS.server().command("SCRIPT", "EXISTS", script.sha()), script.name());
        }
    }
}
