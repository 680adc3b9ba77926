package dev.toolgate.idempotency;

import static dev.toolgate.idempotency.Records.LEASE;
import static dev.toolgate.idempotency.Records.PAYLOAD;
import static dev.toolgate.idempotency.Records.TTL;
import static dev.toolgate.idempotency.Records.await;
import static dev.toolgate.idempotency.Records.now;
import static dev.toolgate.idempotency.Records.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.toolgate.idempotency.IdempotencyStore.Begun;
import dev.toolgate.store.RedisConnection;
import dev.toolgate.testing.RedisServerExtension;
import io.vertx.core.Vertx;

/**
 * The contract on Redis, plus what only Redis shows: the record's fields and time to live, two instances sharing a
 * key, and scripts that Redis forgot.
 */
class RedisIdempotencyStoreTest extends IdempotencyStoreContractTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static Vertx vertx;
    private static RedisConnection first;
    private static RedisConnection second;
    private static RedisIdempotencyStore store;
    private static RedisIdempotencyStore otherInstance;

    @BeforeAll
    static void connect() {
        vertx = Vertx.vertx();
        first = new RedisConnection(vertx, REDIS.url(), Duration.ofSeconds(5));
        second = new RedisConnection(vertx, REDIS.url(), Duration.ofSeconds(5));
        store = new RedisIdempotencyStore(first);
        otherInstance = new RedisIdempotencyStore(second);
    }

    @AfterAll
    static void disconnect() {
        first.close();
        second.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Override
    IdempotencyStore store() {
        return store;
    }

    @Test
    void theLeaseIsTheKeysTimeToLiveUntilCompletedThenTheTtl() {
        // given
        await(store.begin(records.tenant, records.key, PAYLOAD, "d1", LEASE, now()));
        long leaseTtl = (Long) REDIS.server().command("PTTL", records.key);
        Object inFlight = REDIS.server().command("HGETALL", records.key);

        // when
        await(store.complete(records.tenant, records.key, "d1", reply(), TTL));

        // then
        assertTrue(leaseTtl > LEASE.toMillis() - 5_000 && leaseTtl <= LEASE.toMillis(), "lease ttl " + leaseTtl);
        assertEquals(List.of("owner", "d1", "payload", PAYLOAD, "state", "in_flight"), inFlight);
        long doneTtl = (Long) REDIS.server().command("PTTL", records.key);
        assertTrue(doneTtl > TTL.toMillis() - 5_000 && doneTtl <= TTL.toMillis(), "done ttl " + doneTtl);
        assertEquals("done", REDIS.server().command("HGET", records.key, "state"));
        assertEquals(512L, REDIS.server().command("HSTRLEN", records.key, "reply"), "the bytes as they are");
    }

    @Test
    void aKeyStartedOnOneInstanceIsReplayedOnAnother() {
        // given
        await(store.begin(records.tenant, records.key, PAYLOAD, "d1", LEASE, now()));

        // when
        Begun elsewhere = await(otherInstance.begin(records.tenant, records.key, PAYLOAD, "d2", LEASE, now()));
        await(store.complete(records.tenant, records.key, "d1", reply(), TTL));
        Begun replayed = await(otherInstance.begin(records.tenant, records.key, PAYLOAD, "d3", LEASE, now()));

        // then
        assertEquals(new Begun.InFlight("d1"), elsewhere);
        assertEquals("d1", assertInstanceOf(Begun.Replay.class, replayed).originalDecisionId());
    }

    @Test
    void reloadsItsScriptsWhenRedisForgetsThem() {
        // given
        REDIS.server().command("SCRIPT", "FLUSH");

        // when
        Begun begun = await(store.begin(records.tenant, records.key, PAYLOAD, "d1", LEASE, now()));

        // then
        assertInstanceOf(Begun.Started.class, begun);
        assertEquals(List.of(1L), REDIS.server().command("SCRIPT", "EXISTS", RedisIdempotencyStore.BEGIN.sha()));
    }

    @Test
    void loadsEveryScript() {
        // given
        REDIS.server().command("SCRIPT", "FLUSH");

        // when
        await(store.loadScripts());

        // then
        for (var script : RedisIdempotencyStore.ALL) {
            assertEquals(List.of(1L), REDIS.server().command("SCRIPT", "EXISTS", script.sha()), script.name());
        }
    }
}
