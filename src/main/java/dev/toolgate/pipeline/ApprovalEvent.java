package dev.toolgate.pipeline;

import java.util.Objects;

/**
 * Something that happened to an approval request, for the audit log: {@code opened}, {@code approved},
 * {@code rejected}, {@code expired}, {@code redeemed} or {@code restored} (given back because the call that redeemed it
 * was never forwarded).
 *
 * @param event what happened
 * @param approvalId the request
 * @param decisionId the call that opened, redeemed or gave it back, or the empty string (an approver's decision, an
 *        expiry)
 * @param tenant the tenant
 * @param actor who did it: the agent of the call, the approver, or {@code toolgate} for an expiry or a restore
 * @param tool the tool of the call the request is for
 * @param action the action
 * @param payloadSha256 the payload the request is bound to
 * @param tier the tier ({@code required} or {@code dual})
 * @param state the request's state after the event
 */
public record ApprovalEvent(String event, String approvalId, String decisionId, String tenant, String actor, String tool,
        String action, String payloadSha256, String tier, String state) {

    public ApprovalEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(approvalId, "approvalId");
        decisionId = decisionId == null ? "" : decisionId;
    }
}
