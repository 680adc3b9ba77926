package dev.toolgate.idempotency;

import static dev.toolgate.idempotency.Records.LEASE;
import static dev.toolgate.idempotency.Records.OTHER_PAYLOAD;
import static dev.toolgate.idempotency.Records.PAYLOAD;
import static dev.toolgate.idempotency.Records.TTL;
import static dev.toolgate.idempotency.Records.await;
import static dev.toolgate.idempotency.Records.now;
import static dev.toolgate.idempotency.Records.reply;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.toolgate.idempotency.IdempotencyStore.Begun;
import dev.toolgate.pipeline.StoredReply;
import dev.toolgate.testing.Concurrently;

/**
 * What every {@link IdempotencyStore} promises, whatever holds the records. Subclasses supply the store; each test
 * uses a fresh tenant and key. Expiry is shown with short leases and ttls on the real clock, as Redis counts them.
 */
abstract class IdempotencyStoreContractTest {

    /** The store under test. */
    abstract IdempotencyStore store();

    final Records records = new Records();

    private Begun begin(String owner, String payload, Duration lease) {
        return await(store().begin(records.tenant, records.key, payload, owner, lease, now()));
    }

    private Begun begin(String owner, String payload) {
        return begin(owner, payload, LEASE);
    }

    @Test
    void theFirstCallStartsAndARepeatAfterItCompletedReplaysItsReply() {
        // given
        Begun first = begin("d1", PAYLOAD);

        // when
        await(store().complete(records.tenant, records.key, "d1", reply(), TTL));
        Begun repeat = begin("d2", PAYLOAD);

        // then
        assertInstanceOf(Begun.Started.class, first);
        Begun.Replay replay = assertInstanceOf(Begun.Replay.class, repeat);
        assertEquals("d1", replay.originalDecisionId());
        assertEquals("http", replay.reply().protocol());
        assertArrayEquals(reply().bytes(), replay.reply().bytes(), "every byte value comes back as it went in");
    }

    @Test
    void aRepeatWhileTheFirstIsInFlightFindsItInFlight() {
        // given
        begin("d1", PAYLOAD);

        // when
        Begun repeat = begin("d2", PAYLOAD);

        // then
        assertEquals(new Begun.InFlight("d1"), repeat);
    }

    @Test
    void aRepeatWithAnotherPayloadConflictsInFlightAndDone() {
        // given
        begin("d1", PAYLOAD);

        // when
        Begun whileInFlight = begin("d2", OTHER_PAYLOAD);
        await(store().complete(records.tenant, records.key, "d1", reply(), TTL));
        Begun whenDone = begin("d3", OTHER_PAYLOAD);

        // then
        assertEquals(new Begun.PayloadMismatch("d1"), whileInFlight);
        assertEquals(new Begun.PayloadMismatch("d1"), whenDone);
    }

    @Test
    void abandoningFreesTheKeyForTheNextCall() {
        // given
        begin("d1", PAYLOAD);

        // when
        await(store().abandon(records.tenant, records.key, "d1"));
        Begun retry = begin("d2", OTHER_PAYLOAD);
        Begun repeat = begin("d3", OTHER_PAYLOAD);

        // then
        assertInstanceOf(Begun.Started.class, retry, "even with another payload: the first call never ran");
        assertEquals(new Begun.InFlight("d2"), repeat);
    }

    @Test
    void onlyTheOwnerCompletesOrAbandons() {
        // given
        begin("d1", PAYLOAD);

        // when
        await(store().complete(records.tenant, records.key, "intruder", new StoredReply("http", new byte[] { 1 }), TTL));
        await(store().abandon(records.tenant, records.key, "intruder"));
        Begun afterIntruder = begin("d2", PAYLOAD);
        await(store().complete(records.tenant, records.key, "d1", reply(), TTL));
        await(store().abandon(records.tenant, records.key, "d1"));
        await(store().complete(records.tenant, records.key, "d1", new StoredReply("http", new byte[] { 2 }), TTL));
        Begun afterOwner = begin("d3", PAYLOAD);

        // then
        assertEquals(new Begun.InFlight("d1"), afterIntruder);
        Begun.Replay replay = assertInstanceOf(Begun.Replay.class, afterOwner,
                "a done record is neither abandoned nor completed again");
        assertArrayEquals(reply().bytes(), replay.reply().bytes());
    }

    @Test
    void anExpiredLeaseFreesTheKeyAndTheLateOwnerCannotCompleteIt() {
        // given
        Begun first = begin("d1", PAYLOAD, Duration.ofMillis(300));

        // when
        Begun during = begin("d2", PAYLOAD);
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> begin("d3", PAYLOAD) instanceof Begun.Started);
        await(store().complete(records.tenant, records.key, "d1", reply(), TTL));
        Begun afterLateCompletion = begin("d4", PAYLOAD);

        // then
        assertInstanceOf(Begun.Started.class, first);
        assertEquals(new Begun.InFlight("d1"), during);
        assertEquals(new Begun.InFlight("d3"), afterLateCompletion);
    }

    @Test
    void aCompletedRecordIsForgottenAfterItsTtl() {
        // given
        begin("d1", PAYLOAD);
        await(store().complete(records.tenant, records.key, "d1", reply(), Duration.ofMillis(300)));

        // when
        Begun soon = begin("d2", PAYLOAD);
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> begin("d3", OTHER_PAYLOAD) instanceof Begun.Started);

        // then
        assertInstanceOf(Begun.Replay.class, soon);
    }

    @Test
    void ofFiftyCallsWithOneKeyAtOnceExactlyOneStarts() {
        // when
        List<Begun> begun = Concurrently.run(50,
                i -> store().begin(records.tenant, records.key, PAYLOAD, "d" + i, LEASE, now()));

        // then
        List<Integer> started = java.util.stream.IntStream.range(0, 50)
                .filter(i -> begun.get(i) instanceof Begun.Started).boxed().toList();
        assertEquals(1, started.size(), begun.toString());
        String owner = "d" + started.get(0);
        assertEquals(49, begun.stream().filter(new Begun.InFlight(owner)::equals).count());
    }

    @Test
    void refusesAKeyOfAnotherTenant() {
        // given
        String intruder = new Records().tenant;

        // when / then
        assertThrows(IllegalArgumentException.class,
                () -> await(store().begin(intruder, records.key, PAYLOAD, "d1", LEASE, now())));
        assertThrows(IllegalArgumentException.class, () -> await(store().abandon(intruder, records.key, "d1")));
        assertThrows(IllegalArgumentException.class,
                () -> await(store().complete(intruder, records.key, "d1", reply(), TTL)));
    }

    @Test
    void keepsWhatItWasGivenNotWhatTheCallerChangesAfterwards() {
        // given
        begin("d1", PAYLOAD);
        StoredReply reply = reply();
        await(store().complete(records.tenant, records.key, "d1", reply, TTL));

        // when
        reply.bytes()[0] = 42;
        Begun.Replay first = assertInstanceOf(Begun.Replay.class, begin("d2", PAYLOAD));
        first.reply().bytes()[1] = 42;
        Begun.Replay second = assertInstanceOf(Begun.Replay.class, begin("d3", PAYLOAD));

        // then
        assertArrayEquals(reply().bytes(), second.reply().bytes());
    }
}
