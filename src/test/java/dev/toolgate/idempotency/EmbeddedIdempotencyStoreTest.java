package dev.toolgate.idempotency;

import static dev.toolgate.idempotency.Records.PAYLOAD;
import static dev.toolgate.idempotency.Records.await;
import static dev.toolgate.idempotency.Records.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.toolgate.idempotency.IdempotencyStore.Begun;
import dev.toolgate.testing.TestClock;

/** The contract on the embedded store, plus its expiry on a clock the test moves. */
class EmbeddedIdempotencyStoreTest extends IdempotencyStoreContractTest {

    private final EmbeddedIdempotencyStore store = new EmbeddedIdempotencyStore();

    @Override
    IdempotencyStore store() {
        return store;
    }

    @Test
    void aLeaseAndATtlRunOutExactlyAtTheirDeadlineOnTheWallClock() {
        // given
        TestClock wall = new TestClock(Instant.parse("2026-05-02T18:30:00Z"));
        EmbeddedIdempotencyStore store = new EmbeddedIdempotencyStore(wall);
        Duration lease = Duration.ofMinutes(2);
        Duration ttl = Duration.ofHours(24);
        assertInstanceOf(Begun.Started.class, store.begin(records.tenant, records.key, PAYLOAD, "d1", lease,
                wall.instant()).await().indefinitely());

        // when
        wall.advance(lease.minusNanos(1));
        Begun beforeLeaseEnds = await(store.begin(records.tenant, records.key, PAYLOAD, "d2", lease, wall.instant()));
        wall.advance(Duration.ofNanos(1));
        Begun atLeaseEnd = await(store.begin(records.tenant, records.key, PAYLOAD, "d3", lease, wall.instant()));
        await(store.complete(records.tenant, records.key, "d3", reply(), ttl));
        wall.advance(ttl.minusNanos(1));
        Begun beforeTtlEnds = await(store.begin(records.tenant, records.key, PAYLOAD, "d4", lease, wall.instant()));
        wall.advance(Duration.ofNanos(1));
        Begun atTtlEnd = await(store.begin(records.tenant, records.key, PAYLOAD, "d5", lease, wall.instant()));

        // then
        assertEquals(new Begun.InFlight("d1"), beforeLeaseEnds);
        assertInstanceOf(Begun.Started.class, atLeaseEnd);
        assertEquals("d3", assertInstanceOf(Begun.Replay.class, beforeTtlEnds).originalDecisionId());
        assertInstanceOf(Begun.Started.class, atTtlEnd);
    }
}
