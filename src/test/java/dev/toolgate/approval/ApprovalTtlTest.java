package dev.toolgate.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** An approval may not outlive the idempotency record its retries are replayed from. */
class ApprovalTtlTest {

    @Test
    void refusesAnApprovalTtlLongerThanTheIdempotencyTtl() {
        // when
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ApprovalStage.checkedTtl(Duration.ofHours(25), Duration.ofHours(24)));

        // then
        assertTrue(refused.getMessage().contains("toolgate.approvals.ttl (PT25H)"), refused.getMessage());
        assertTrue(refused.getMessage().contains("toolgate.idempotency.ttl (PT24H)"), refused.getMessage());
    }

    @Test
    void acceptsAnApprovalTtlUpToTheIdempotencyTtl() {
        // when / then
        assertEquals(Duration.ofHours(24), ApprovalStage.checkedTtl(Duration.ofHours(24), Duration.ofHours(24)));
        assertEquals(Duration.ofSeconds(4), ApprovalStage.checkedTtl(Duration.ofSeconds(4), Duration.ofHours(24)));
    }
}
