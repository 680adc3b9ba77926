package dev.toolgate.approval;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.approval.ApprovalStore.Approval;
import dev.toolgate.approval.ApprovalStore.Redemption;
import dev.toolgate.approval.ApprovalStore.Sign;
import dev.toolgate.approval.ApprovalStore.State;
import dev.toolgate.call.ApprovalTier;
import io.smallrye.mutiny.Uni;

/** Approval requests for the store tests, in one fresh tenant so that tests never share state. */
final class Requests {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String AGENT = "support-bot";
    static final String RUN = "run-1";
    static final String PAYLOAD = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    final String tenant = "t-" + UUID.randomUUID();
    /** The wall clock, as it reads expiry in {@code get}; microseconds, as Instant.now() gives on Linux. */
    final Instant now = Instant.now();

    /** A pending request opened now for an hour. */
    Approval request(String tool, ApprovalTier tier, boolean irreversible) {
        return request(tool, tier, irreversible, now, now.plus(Duration.ofHours(1)));
    }

    Approval request(String tool, ApprovalTier tier, boolean irreversible, Instant createdAt, Instant expiresAt) {
        return new Approval(UUID.randomUUID().toString(), tenant, AGENT, RUN, tool, "refunds.create", PAYLOAD,
                preview(), List.of("refund above the unattended limit needs approval"), tier, irreversible, createdAt,
                expiresAt, State.PENDING, List.of(), Optional.empty());
    }

    /** Opened two hours ago, expired an hour ago. */
    Approval expired() {
        return request("payments", ApprovalTier.REQUIRED, false, now.minus(Duration.ofHours(2)),
                now.minus(Duration.ofHours(1)));
    }

    /** Parsed as the gateway parses arguments, with what JSON round trips tend to break. */
    static ObjectNode preview() {
        try {
            return (ObjectNode) new ObjectMapper().readTree("""
                    {"charge": "ch_1", "amount_usd_micros": 20000000, "big": 12345678901234567890,
                     "ratio": 0.1, "note": "ünïcödé \\"quoted\\" / \\u0000 ✓", "empty": {}, "none": [],
                     "nested": {"list": [1, 2.5, true, false, null, {"deep": "yes"}]}}
                    """);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Sign approve(String approver) {
        return new Sign(approver, true, Optional.empty());
    }

    static Sign approve(String approver, String reviewedPayload) {
        return new Sign(approver, true, Optional.of(reviewedPayload));
    }

    static Sign reject(String approver) {
        return new Sign(approver, false, Optional.empty());
    }

    /** The call of {@link #AGENT} in {@link #RUN} for {@link #PAYLOAD}, without an Idempotency-Key, as a new call. */
    static Redemption redemption() {
        return redemption(Optional.empty());
    }

    /** The same call with this idempotency scope, as a new call (its own decision id). */
    static Redemption redemption(Optional<String> idempotencyScope) {
        return new Redemption(AGENT, RUN, PAYLOAD, "d-" + UUID.randomUUID(), idempotencyScope);
    }

    static <T> T await(Uni<T> uni) {
        return uni.await().atMost(WAIT);
    }
}
