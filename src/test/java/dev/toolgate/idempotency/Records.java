package dev.toolgate.idempotency;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.toolgate.pipeline.StoredReply;
import io.smallrye.mutiny.Uni;

/** Keys, payloads and replies for the idempotency store tests, in one fresh tenant so that tests share no state. */
final class Records {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Duration LEASE = Duration.ofMinutes(2);
    static final Duration TTL = Duration.ofHours(24);
    static final String PAYLOAD = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
    static final String OTHER_PAYLOAD = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7af";

    final String tenant = "t-" + UUID.randomUUID();
    final String key = IdempotencyKeys.record(tenant, "support-bot", "payments", "key-" + UUID.randomUUID());

    /** A reply with every byte value, so that a store that is not binary-safe shows. */
    static StoredReply reply() {
        byte[] bytes = new byte[512];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return new StoredReply("http", bytes);
    }

    static Instant now() {
        return Instant.now();
    }

    static <T> T await(Uni<T> uni) {
        return uni.await().atMost(WAIT);
    }
}
