package dev.toolgate.idempotency;

import java.time.Duration;
import java.util.Objects;

import dev.toolgate.store.TenantKeys;

/** What both stores refuse before touching a record: a refusal is a bug in the caller, never a decision. */
final class RecordChecks {

    private RecordChecks() {
    }

    /** The key must be one of the tenant's ({@link IdempotencyKeys#record}), so a call never reaches another's. */
    static String key(String tenant, String key) {
        return TenantKeys.own(tenant, key);
    }

    static void begin(String tenant, String key, String payloadSha256, String owner, Duration lease) {
        key(tenant, key);
        Objects.requireNonNull(payloadSha256, "payloadSha256");
        owner(owner);
        positive(lease, "the in-flight lease");
    }

    static void complete(String tenant, String key, String owner, Duration ttl) {
        key(tenant, key);
        owner(owner);
        positive(ttl, "the ttl of a completed record");
    }

    static void owner(String owner) {
        if (owner == null || owner.isEmpty()) {
            throw new IllegalArgumentException("a record's owner is a decision id");
        }
    }

    /** Whole milliseconds, at least one, as Redis counts a key's time to live. */
    static long millis(Duration duration) {
        return Math.max(1, duration.toMillis());
    }

    private static void positive(Duration duration, String what) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
    }
}
