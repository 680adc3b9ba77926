package dev.toolgate.approval;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ApprovalTier;
import io.smallrye.mutiny.Uni;

/**
 * Where approval requests live: Redis (every key of a tenant carries the {@code {tenant}} hash tag) or the embedded
 * store. Every check that can race (two approvers signing at once, two retries redeeming at once) happens inside one
 * atomic step of the store, never as a read followed by a write in Java.
 */
public interface ApprovalStore {

    /**
     * Stores a new request in state {@link State#PENDING}, atomically and only when: no pending, unexpired request was
     * opened for the same call (then that one is the answer, {@link Opened.Waiting}); and the agent has fewer than
     * {@code maxPending} pending, unexpired requests ({@link Opened.TooMany} otherwise).
     *
     * @param sameCall names the call the request is for (agent, run, payload, and why it is asked); kept while the
     *        request is pending
     */
    Uni<Opened> open(Approval request, String sameCall, int maxPending);

    /** Stores a new request in state {@link State#PENDING}, whatever else is waiting. */
    default Uni<Void> open(Approval request) {
        return open(request, request.id(), Integer.MAX_VALUE).map(opened -> {
            if (!(opened instanceof Opened.Created)) {
                throw new IllegalStateException("an unbounded open answered " + opened);
            }
            return null;
        });
    }

    /** What {@link #open(Approval, String, int)} did. */
    sealed interface Opened {
        /** The request is stored. */
        record Created() implements Opened {
        }

        /** The same call waits already, on this request (its expiry to the microsecond): nothing was stored. */
        record Waiting(String id, Instant expiresAt) implements Opened {
            public Waiting {
                expiresAt = expiresAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            }
        }

        /** The agent has {@code pending} requests waiting, the most it may: nothing was stored. */
        record TooMany(int pending) implements Opened {
        }
    }

    /** One request, whatever its state; a request past its expiry reads as {@link State#EXPIRED}. */
    Uni<Optional<Approval>> get(String tenant, String id);

    /** The tenant's pending, unexpired requests, oldest first, optionally of one tool only. */
    Uni<List<Approval>> pending(String tenant, Optional<String> tool, Instant now);

    /** Records one approver's sign-off or rejection, atomically, after every rule of {@link Sign} holds. */
    Uni<Decided> decide(String tenant, String id, Sign sign, Instant now);

    /**
     * Consumes an approved request for the call it was opened for, atomically and once: of two retries racing, one
     * redeems and the other finds it {@link Redeemed.Invalid.Cause#USED}. The redeeming call's decision id and
     * idempotency scope are recorded with it.
     *
     * <p>
     * A redeemed request is answered again, as a {@linkplain Redeemed.Ok#repeat() repeat} and without being consumed
     * again, to a call of the same agent, run and payload that carries the same idempotency scope as the redemption,
     * until the request's expiry (after it, {@link Redeemed.Invalid.Cause#EXPIRED}): such a call is a retry that the
     * idempotency stage replays or holds back. A repeat takes the redemption over (its decision id is recorded), so
     * that the earlier call can no longer {@linkplain #restore restore} an approval a retry may now be using. Any other
     * call finds it {@link Redeemed.Invalid.Cause#USED}.
     */
    Uni<Redeemed> redeem(String tenant, String id, Redemption redemption, Instant now);

    /**
     * Gives an approval back when the call that redeemed it never went out: a {@link State#REDEEMED} request whose
     * redemption was made (or last taken over) by {@code decisionId} becomes {@link State#APPROVED} again, atomically;
     * anything else is left as it is.
     *
     * @return whether the request was given back
     */
    Uni<Boolean> restore(String tenant, String id, String decisionId);

    /** Marks every pending request of the tenant whose expiry has passed as expired; answers them (for audit). */
    Uni<List<Approval>> expire(String tenant, Instant now);

    /** The life of a request. */
    enum State {
        PENDING,
        APPROVED,
        REJECTED,
        EXPIRED,
        REDEEMED;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * An approval request.
     *
     * @param id the approval id (the agent sends it back as {@code Toolgate-Approval})
     * @param tenant the tenant of the call
     * @param agent the agent whose call waits
     * @param runId the run of the call ("" when none): a redemption must come from the same run
     * @param tool the tool
     * @param action the action
     * @param payloadSha256 the payload the approval is bound to
     * @param preview the arguments with the policy's redactions removed, for the approver to review
     * @param reasons why approval is needed (the policy's reasons, or the budget that escalated)
     * @param tier {@code required} (one approver) or {@code dual} (two distinct approvers)
     * @param irreversible the tool cannot undo: approvers must send back the payload hash they reviewed
     * @param createdAt when the request was opened
     * @param expiresAt after this, it can be neither approved nor redeemed
     * @param state its state now
     * @param approvers the principals (agent ids) that signed off, in order
     * @param rejectedBy who rejected it, if anyone
     */
    record Approval(String id, String tenant, String agent, String runId, String tool, String action,
            String payloadSha256, ObjectNode preview, List<String> reasons, ApprovalTier tier, boolean irreversible,
            Instant createdAt, Instant expiresAt, State state, List<String> approvers, Optional<String> rejectedBy) {

        public Approval {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(payloadSha256, "payloadSha256");
            preview = preview.deepCopy();
            reasons = List.copyOf(reasons);
            if (tier == ApprovalTier.NONE) {
                throw new IllegalArgumentException("an approval request needs the tier required or dual");
            }
            approvers = List.copyOf(approvers);
            Objects.requireNonNull(rejectedBy, "rejectedBy");
        }

        /** The preview, as a copy: a record never hands out a node someone could change. */
        @Override
        public ObjectNode preview() {
            return preview.deepCopy();
        }

        /** How many distinct sign-offs the tier needs. */
        public int signOffsNeeded() {
            return tier == ApprovalTier.DUAL ? 2 : 1;
        }
    }

    /**
     * One approver's decision. The store refuses it when: the request is not pending or has expired; the approver is
     * the agent whose call waits (no self-approval); the approver already signed it (dual needs two distinct
     * approvers); the request is irreversible and {@code reviewedPayloadSha256} is missing or not the request's.
     *
     * @param approver the approver's principal id (agent id of the contract)
     * @param approve true to sign off, false to reject
     * @param reviewedPayloadSha256 the payload hash the approver reviewed
     */
    record Sign(String approver, boolean approve, Optional<String> reviewedPayloadSha256) {
    }

    /** What a decision did. */
    sealed interface Decided {
        /** Recorded; the request is now in {@code approval.state()}. */
        record Recorded(Approval approval) implements Decided {
        }

        record Refused(Cause cause) implements Decided {
        }

        enum Cause {
            NOT_FOUND,
            NOT_PENDING,
            EXPIRED,
            SELF_APPROVAL,
            SAME_APPROVER,
            PAYLOAD_HASH_REQUIRED,
            PAYLOAD_HASH_MISMATCH
        }
    }

    /**
     * The call that wants to redeem an approval.
     *
     * @param agent must be the request's agent
     * @param runId must be the request's run
     * @param payloadSha256 must be the request's payload
     * @param decisionId the call's decision id, recorded as the redemption's; only it can {@linkplain #restore restore}
     * @param idempotencyScope the call's idempotency scope ({@link dev.toolgate.call.IdempotencyScope}) when it carries
     *        an {@code Idempotency-Key}
     */
    record Redemption(String agent, String runId, String payloadSha256, String decisionId,
            Optional<String> idempotencyScope) {

        public Redemption {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(payloadSha256, "payloadSha256");
            if (decisionId == null || decisionId.isEmpty()) {
                throw new IllegalArgumentException("a redemption needs the call's decision id");
            }
            Objects.requireNonNull(idempotencyScope, "idempotencyScope");
            if (idempotencyScope.isPresent() && idempotencyScope.get().isEmpty()) {
                throw new IllegalArgumentException("an idempotency scope is never empty");
            }
        }
    }

    /** What a redemption did. */
    sealed interface Redeemed {
        /**
         * The call may go ahead; the request is now {@link State#REDEEMED} and can never be used again, except by a
         * retry of the same call with the same idempotency scope.
         *
         * @param repeat the request was already redeemed and this call is such a retry: nothing was consumed, and the
         *        idempotency stage is to replay the first call's reply (or hold the retry back while it is in flight)
         */
        record Ok(Approval approval, boolean repeat) implements Redeemed {
        }

        record Invalid(Cause cause) implements Redeemed {
            public enum Cause {
                NOT_FOUND,
                PENDING,
                REJECTED,
                EXPIRED,
                USED,
                OTHER_PRINCIPAL,
                OTHER_RUN,
                PAYLOAD_CHANGED
            }
        }
    }
}
