package dev.toolgate.pipeline;

import java.util.Optional;
import java.util.OptionalLong;

import dev.toolgate.call.Denial;
import dev.toolgate.call.ToolCall;
import io.smallrye.mutiny.Uni;

/**
 * The append-only record of every call. Each method completes once the record is durable; a failure means it is not,
 * and the pipeline fails closed (a call whose intent cannot be recorded is never forwarded).
 */
public interface AuditLog {

    /** The call is about to be forwarded. */
    Uni<Void> intent(ToolCall call, String policyRevision);

    /** The forwarded call ended: the tool's answer summary, or the denial that ended it. */
    Uni<Void> outcome(ToolCall call, String policyRevision, String status, Optional<Denial> failure);

    /**
     * The forwarded call ended, and the tool reported what it cost.
     *
     * @param reportedCostUsdMicros the actual cost the tool reported, if it did
     */
    default Uni<Void> outcome(ToolCall call, String policyRevision, String status, Optional<Denial> failure,
            OptionalLong reportedCostUsdMicros) {
        return outcome(call, policyRevision, status, failure);
    }

    /** The call was denied before anything was forwarded. */
    Uni<Void> denied(ToolCall call, String policyRevision, Denial denial);

    /**
     * A new contract or policy bundle was loaded, or refused.
     *
     * @param what {@code policy} or {@code contract}
     * @param outcome {@code loaded} or {@code refused}
     * @param revision the revision now in force
     * @param detail the new revision, or why the new one was refused
     */
    default Uni<Void> reloaded(String what, String outcome, String revision, String detail) {
        return Uni.createFrom().voidItem();
    }

    /**
     * A shadow bundle decided the call otherwise than the active one (neither was changed by it).
     *
     * @param shadow the shadow bundle's decision, or the problem that made it no decision
     */
    default Uni<Void> shadowed(ToolCall call, String policyRevision, String shadowRevision, ShadowDecision shadow) {
        return Uni.createFrom().voidItem();
    }

    /**
     * What a shadow bundle decided.
     *
     * @param allow whether it allows the call
     * @param approval the approval tier's code
     * @param reasons its reasons, or what was wrong with its decision
     */
    record ShadowDecision(boolean allow, String approval, java.util.List<String> reasons) {
        public ShadowDecision {
            java.util.Objects.requireNonNull(approval, "approval");
            reasons = java.util.List.copyOf(reasons);
        }
    }

    /** A dry run was answered with this proposal. */
    Uni<Void> proposed(ToolCall call, String policyRevision, Optional<Denial> denial);

    /** An approval request was opened, approved, rejected, expired or redeemed. */
    Uni<Void> approval(ApprovalEvent event);

    /** An idempotent repeat was answered with the reply of {@code originalDecisionId}; nothing was forwarded. */
    Uni<Void> replayed(ToolCall call, String policyRevision, String originalDecisionId);

    /**
     * A stage could not reach the state it needs and let the call through under its {@code open} failure mode.
     *
     * @param stage the stage, e.g. {@code limits}
     * @param detail what went unchecked and why, e.g. {@code rate unchecked: TimeoutException}
     */
    Uni<Void> failOpen(ToolCall call, String policyRevision, String stage, String detail);
}
