package dev.toolgate.idempotency;

import java.time.Duration;
import java.time.Instant;

import dev.toolgate.pipeline.StoredReply;
import io.smallrye.mutiny.Uni;

/**
 * Idempotency records: Redis (keys carry the {@code {tenant}} hash tag) or the embedded store. A record is created by
 * the first call with a key, holds the payload hash, and after the upstream answered, the stored reply. Each method is
 * one atomic step.
 */
public interface IdempotencyStore {

    /**
     * Starts a call with an idempotency key, atomically: the first call for the key starts it; a repeat with the same
     * payload replays the stored reply, or finds the first still in flight; a repeat with another payload conflicts.
     *
     * @param key the record's key (see {@code IdempotencyKeys}), scoped to tenant, principal and tool
     * @param owner the decision id of the call that starts it
     * @param inFlightLease how long a started call may take before its record is forgotten (a crashed call)
     */
    Uni<Begun> begin(String tenant, String key, String payloadSha256, String owner, Duration inFlightLease, Instant now);

    /** Stores the reply of the owner's call; the record then lives for {@code ttl}. */
    Uni<Void> complete(String tenant, String key, String owner, StoredReply reply, Duration ttl);

    /** Forgets the owner's record: its call was never forwarded, so a retry must be able to run. */
    Uni<Void> abandon(String tenant, String key, String owner);

    /** What {@link #begin} found. */
    sealed interface Begun {
        /** No record: this call is the first and owns the key. */
        record Started() implements Begun {
        }

        /** A completed call with the same payload: answer its reply without forwarding. */
        record Replay(StoredReply reply, String originalDecisionId) implements Begun {
        }

        /** The first call with this key is still in flight. */
        record InFlight(String originalDecisionId) implements Begun {
        }

        /** The key was used with another payload. */
        record PayloadMismatch(String originalDecisionId) implements Begun {
        }
    }
}
