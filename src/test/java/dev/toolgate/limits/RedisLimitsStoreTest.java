package dev.toolgate.limits;

import static dev.toolgate.limits.Calls.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.toolgate.limits.LimitsStore.Budget;
import dev.toolgate.limits.LimitsStore.Rate;
import dev.toolgate.limits.LimitsStore.Reserved;
import dev.toolgate.store.RedisConnection;
import dev.toolgate.testing.RedisServerExtension;
import io.vertx.core.Vertx;

/**
 * The contract on Redis, with two stores on two clients (as two toolgate instances would be), plus what only Redis
 * shows: the expiries it sets and the scripts it forgets.
 */
class RedisLimitsStoreTest extends LimitsStoreContractTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static Vertx vertx;
    private static RedisConnection firstConnection;
    private static RedisConnection secondConnection;
    private static RedisLimitsStore first;
    private static RedisLimitsStore second;

    @BeforeAll
    static void connect() {
        vertx = Vertx.vertx();
        firstConnection = new RedisConnection(vertx, REDIS.url(), Duration.ofSeconds(5));
        secondConnection = new RedisConnection(vertx, REDIS.url(), Duration.ofSeconds(5));
        first = new RedisLimitsStore(firstConnection);
        second = new RedisLimitsStore(secondConnection);
    }

    @AfterAll
    static void disconnect() {
        firstConnection.close();
        secondConnection.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Override
    LimitsStore store() {
        return first;
    }

    @Override
    LimitsStore secondStore() {
        return second;
    }

    @Test
    void setsTheLedgerExpiryTheRateKeyTtlAndTheLease() {
        // given
        Calls calls = new Calls();
        Budget budget = calls.budget("b", 1_000, 100);
        Rate rate = calls.rate("r", Duration.ofSeconds(10), 5);

        // when
        await(first.reserve(calls.reserve("r1", calls.now, List.of(rate), List.of(budget))));

        // then
        assertEquals(budget.expiresAt().toEpochMilli(), REDIS.server().command("PEXPIRETIME", budget.key()));
        long rateTtl = (Long) REDIS.server().command("PTTL", rate.key());
        assertTrue(rateTtl > 9_000 && rateTtl <= 11_000, "the rate key lives as long as its state matters: " + rateTtl);
        assertEquals(budget.expiresAt().toEpochMilli(),
                REDIS.server().command("PEXPIRETIME", Keys.reservation(calls.tenant, "r1")));
        assertEquals(Long.toString(Micros.of(calls.now.plus(Calls.LEASE))),
                REDIS.server().command("ZSCORE", Keys.leases(calls.tenant), "r1"));
    }

    @Test
    void reloadsItsScriptsWhenRedisForgetsThem() {
        // given
        Calls calls = new Calls();
        Budget budget = calls.budget("b", 1_000, 100);
        await(first.reserve(calls.reserve("r1", List.of(budget))));

        // when
        REDIS.server().command("SCRIPT", "FLUSH");
        var reserved = await(first.reserve(calls.reserve("r2", List.of(budget))));
        var settled = await(first.settle(calls.settle("r2", 50, budget)));

        // then
        assertInstanceOf(Reserved.class, reserved);
        assertEquals(LimitsStore.SettleResult.SETTLED, settled);
        assertEquals(List.of(1L), REDIS.server().command("SCRIPT", "EXISTS", RedisScripts.RESERVE.sha()));
    }
}
