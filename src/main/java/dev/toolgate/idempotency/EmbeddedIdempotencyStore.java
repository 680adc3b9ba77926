package dev.toolgate.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import dev.toolgate.pipeline.StoredReply;
import io.smallrye.mutiny.Uni;

/**
 * Idempotency records in this instance's memory, for a single instance without Redis: the same semantics as
 * {@link RedisIdempotencyStore} (read its scripts beside this), for calls that reach this instance.
 *
 * <h2>Expiry</h2>
 * A record lives until its lease, and once completed its ttl, runs out by the wall clock {@code wall}, as Redis counts
 * a key's time to live by its own clock; {@code now} of {@link #begin} is not used. Expired records are dropped when
 * their tenant is next used.
 *
 * <h2>Threads</h2>
 * Each tenant's records sit behind one lock, held for microseconds of pure CPU, so calling from an event loop is
 * fine. A {@code Uni} computes when subscribed, on the subscriber's thread.
 */
public final class EmbeddedIdempotencyStore implements IdempotencyStore {

    private final ConcurrentMap<String, Tenant> tenants = new ConcurrentHashMap<>();
    private final Clock wall;

    public EmbeddedIdempotencyStore() {
        this(Clock.systemUTC());
    }

    /** @param wall the clock that expires records */
    public EmbeddedIdempotencyStore(Clock wall) {
        this.wall = wall;
    }

    @Override
    public Uni<Begun> begin(String tenant, String key, String payloadSha256, String owner, Duration inFlightLease,
            Instant now) {
        return Uni.createFrom().item(() -> {
            RecordChecks.begin(tenant, key, payloadSha256, owner, inFlightLease);
            return tenant(tenant).locked(t -> {
                Record found = t.records.get(key);
                if (found == null) {
                    t.put(key, new Record(owner, payloadSha256, null, t.now.plus(inFlightLease)));
                    return new Begun.Started();
                }
                if (!found.payloadSha256().equals(payloadSha256)) {
                    return new Begun.PayloadMismatch(found.owner());
                }
                if (found.reply() != null) {
                    return new Begun.Replay(copy(found.reply()), found.owner());
                }
                return new Begun.InFlight(found.owner());
            });
        });
    }

    @Override
    public Uni<Void> complete(String tenant, String key, String owner, StoredReply reply, Duration ttl) {
        return Uni.createFrom().item(() -> {
            RecordChecks.complete(tenant, key, owner, ttl);
            StoredReply kept = copy(reply);
            return tenant(tenant).locked(t -> {
                Record found = t.records.get(key);
                if (found != null && found.owner().equals(owner) && found.reply() == null) {
                    t.put(key, new Record(owner, found.payloadSha256(), kept, t.now.plus(ttl)));
                }
                return null;
            });
        });
    }

    @Override
    public Uni<Void> abandon(String tenant, String key, String owner) {
        return Uni.createFrom().item(() -> {
            RecordChecks.key(tenant, key);
            RecordChecks.owner(owner);
            return tenant(tenant).locked(t -> {
                Record found = t.records.get(key);
                if (found != null && found.owner().equals(owner) && found.reply() == null) {
                    t.records.remove(key);
                }
                return null;
            });
        });
    }

    private Tenant tenant(String tenant) {
        return tenants.computeIfAbsent(tenant, name -> new Tenant());
    }

    /** A copy whose bytes nobody else holds: what is kept cannot change after the fact, as in Redis. */
    private static StoredReply copy(StoredReply reply) {
        return new StoredReply(reply.protocol(), reply.bytes().clone());
    }

    /** @param reply null while in flight */
    private record Record(String owner, String payloadSha256, StoredReply reply, Instant expiresAt) {
    }

    private record Deadline(Instant at, String key) {
    }

    /** One tenant's records, behind one lock. */
    private final class Tenant {

        private final ReentrantLock lock = new ReentrantLock();
        private final Map<String, Record> records = new HashMap<>();
        /** Every deadline ever set, soonest first; one whose record has moved on is skipped when it comes up. */
        private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>(Comparator.comparing(Deadline::at));
        /** The wall clock when the lock was taken. */
        private Instant now;

        <T> T locked(Function<Tenant, T> work) {
            lock.lock();
            try {
                now = wall.instant();
                expire();
                return work.apply(this);
            } finally {
                lock.unlock();
            }
        }

        void put(String key, Record record) {
            records.put(key, record);
            deadlines.add(new Deadline(record.expiresAt(), key));
        }

        /** A record is gone at its deadline, as a Redis key is when its time to live reaches zero. */
        private void expire() {
            while (!deadlines.isEmpty() && !deadlines.peek().at().isAfter(now)) {
                Deadline due = deadlines.poll();
                Record record = records.get(due.key());
                if (record != null && !record.expiresAt().isAfter(now)) {
                    records.remove(due.key());
                }
            }
        }
    }
}
