package dev.toolgate.idempotency;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.toolgate.pipeline.StoredReply;
import dev.toolgate.store.RedisConnection;
import dev.toolgate.store.RedisScript;
import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Response;

/**
 * Idempotency records in Redis, shared by every instance: one hash per key ({@link IdempotencyKeys#record}) with the
 * owner, the payload hash, the state ({@code in_flight} or {@code done}) and, once done, the reply's protocol and
 * bytes (binary-safe). Each operation is one Lua script under {@code src/main/resources/idempotency/}, documented in
 * its header.
 *
 * <h2>Expiry</h2>
 * The in-flight lease, and after completion the ttl, is the key's time to live, counted by Redis's clock (so
 * {@code now} of {@link #begin} is not used: an instance whose clock is off cannot make a record expire early or
 * late).
 *
 * <h2>Failures</h2>
 * A Redis that does not answer within the connection's timeout fails the {@code Uni} with a
 * {@link dev.toolgate.store.StoreUnavailableException}; a {@code begin} that timed out may still have started the
 * record, which then frees itself when its lease runs out.
 *
 * <h2>Threads</h2>
 * Nothing blocks; each {@code Uni} completes on a Vert.x event loop, and each subscription sends the operation again.
 */
public final class RedisIdempotencyStore implements IdempotencyStore {

    static final RedisScript BEGIN = RedisScript.fromClasspath("idempotency/begin.lua");
    static final RedisScript COMPLETE = RedisScript.fromClasspath("idempotency/complete.lua");
    static final RedisScript ABANDON = RedisScript.fromClasspath("idempotency/abandon.lua");
    static final List<RedisScript> ALL = List.of(BEGIN, COMPLETE, ABANDON);

    private final RedisConnection redis;

    /** @param redis the connection; this store does not own it */
    public RedisIdempotencyStore(RedisConnection redis) {
        this.redis = redis;
    }

    /** Loads the scripts into Redis (see {@link RedisConnection#loadAll}). */
    public Uni<Void> loadScripts() {
        return redis.loadAll(ALL);
    }

    @Override
    public Uni<Begun> begin(String tenant, String key, String payloadSha256, String owner, Duration inFlightLease,
            Instant now) {
        return redis.call(() -> {
            RecordChecks.begin(tenant, key, payloadSha256, owner, inFlightLease);
            return redis.eval(BEGIN, List.of(key),
                    List.of(payloadSha256, owner, Long.toString(RecordChecks.millis(inFlightLease))))
                    .map(RedisIdempotencyStore::begun);
        });
    }

    @Override
    public Uni<Void> complete(String tenant, String key, String owner, StoredReply reply, Duration ttl) {
        return redis.call(() -> {
            RecordChecks.complete(tenant, key, owner, ttl);
            return redis.eval(COMPLETE, List.of(key),
                    List.of(owner, reply.protocol(), reply.bytes(), Long.toString(RecordChecks.millis(ttl))))
                    .mapEmpty();
        });
    }

    @Override
    public Uni<Void> abandon(String tenant, String key, String owner) {
        return redis.call(() -> {
            RecordChecks.key(tenant, key);
            RecordChecks.owner(owner);
            return redis.eval(ABANDON, List.of(key), List.of(owner)).mapEmpty();
        });
    }

    private static Begun begun(Response reply) {
        return switch (reply.get(0).toString()) {
            case "started" -> new Begun.Started();
            case "in_flight" -> new Begun.InFlight(reply.get(1).toString());
            case "mismatch" -> new Begun.PayloadMismatch(reply.get(1).toString());
            case "replay" -> new Begun.Replay(new StoredReply(reply.get(2).toString(), reply.get(3).toBytes()),
                    reply.get(1).toString());
            default -> throw new IllegalStateException("begin.lua answered " + reply.get(0));
        };
    }
}
