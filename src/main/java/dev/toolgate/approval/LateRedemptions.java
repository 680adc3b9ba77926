package dev.toolgate.approval;

import java.time.Duration;
import java.util.List;

import org.jboss.logging.Logger;

import dev.toolgate.pipeline.AuditLog;
import io.smallrye.mutiny.Uni;

/**
 * Gives back a redemption whose answer never came. When the store does not answer a redemption in time, the call fails
 * closed and never goes out, but the store may still apply the redemption later (a paused Redis runs what it queued
 * when it resumes): the approval would then be spent on a call that never ran. So for about two minutes the approval
 * is given back whenever it turns up redeemed by that call ({@link ApprovalStore#restore} changes nothing otherwise),
 * and the giving back is audited ({@code restored}).
 */
final class LateRedemptions {

    private static final Logger LOG = Logger.getLogger(LateRedemptions.class);
    /** The waits between attempts: about two minutes in all. */
    static final List<Duration> WAITS = List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16),
            Duration.ofSeconds(32), Duration.ofSeconds(64));

    private final ApprovalStore store;
    private final AuditLog audit;

    LateRedemptions(ApprovalStore store, AuditLog audit) {
        this.store = store;
        this.audit = audit;
    }

    /** The redemption of {@code id} by the call {@code decisionId} did not answer: give it back if it turns up. */
    void unanswered(String tenant, String id, String decisionId) {
        attempt(tenant, id, decisionId, 0);
    }

    private void attempt(String tenant, String id, String decisionId, int i) {
        if (i == WAITS.size()) {
            return;
        }
        Uni.createFrom().voidItem().onItem().delayIt().by(WAITS.get(i))
                .chain(() -> store.restore(tenant, id, decisionId))
                .subscribe().with(restored -> {
                    if (restored) {
                        given(tenant, id, decisionId);
                    } else {
                        attempt(tenant, id, decisionId, i + 1);
                    }
                }, fault -> attempt(tenant, id, decisionId, i + 1));
    }

    private void given(String tenant, String id, String decisionId) {
        LOG.warnf("approval %s: a redemption by call %s was applied after it had failed; given back", id, decisionId);
        store.get(tenant, id)
                .chain(found -> found.map(a -> audit.approval(ApprovalStage.event("restored", a, decisionId,
                        "toolgate"))).orElse(Uni.createFrom().voidItem()))
                .subscribe().with(done -> {
                }, fault -> LOG.warnf("approval %s: given back, but its audit record failed: %s", id, fault));
    }
}
