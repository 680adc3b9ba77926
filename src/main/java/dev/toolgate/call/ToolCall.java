package dev.toolgate.call;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One tool call as it travels the pipeline. Protocol-neutral and immutable: each stage that learns something returns a
 * copy through a {@code with…} method. {@link #toString()} shows neither the credential nor the arguments.
 *
 * @param id the decision id, unique per call; answers carry it as {@code Toolgate-Decision-Id}
 * @param protocol the ingress the call came through
 * @param tool the tool name the agent addressed
 * @param invocation what the agent asked for
 * @param credential the credential as presented ({@code Authorization} header value), or {@link Secret#NONE}
 * @param runId the agent's run id, or the empty string
 * @param mode enforce or dry-run
 * @param receivedAt when the gateway received the call
 * @param principal who is acting; set by the identity stage
 * @param action the resolved action and arguments; set by the contract stage
 * @param decision the policy decision; set by the policy stage
 * @param usage where the call stands against its limits; set by the limits stage
 * @param approvalId the approval the agent redeems ({@code Toolgate-Approval}), if any
 * @param idempotencyKey the agent's idempotency key ({@code Idempotency-Key}), if any
 * @param approvalUse what the approval stage did with {@code approvalId}; set by the approval stage
 * @param degradation the call the agent made, when this call is the fallback an over-budget {@code degrade} put in its
 *        place; empty otherwise
 * @param trace the trace the call belongs to: as received, the agent's (W3C {@code traceparent}), if it sent one; once
 *        the pipeline has it, toolgate's own span, which the tool is told to continue
 */
public record ToolCall(String id, Protocol protocol, String tool, Invocation invocation, Secret credential, String runId,
        Mode mode, Instant receivedAt, Optional<Principal> principal, Optional<ResolvedAction> action,
        Optional<Decision> decision, Usage usage, Optional<String> approvalId, Optional<String> idempotencyKey,
        ApprovalUse approvalUse, Optional<Degradation> degradation, Optional<TraceContext> trace) {

    /** What the approval stage did with the approval a call carried. */
    public enum ApprovalUse {
        /** No approval was needed or redeemed. */
        NONE,
        /** The call redeemed its approval (it is consumed). */
        REDEEMED,
        /**
         * The call redeemed an approval that a spent {@code escalate} budget asked for: the approver was shown the
         * budget, so the call may spend beyond it.
         */
        REDEEMED_OVER_BUDGET,
        /**
         * A retry of the call that redeemed the approval, with the same Idempotency-Key: it consumed nothing and may
         * only be answered from the first call's idempotency record, never forwarded again.
         */
        REPEAT
    }

    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(invocation, "invocation");
        Objects.requireNonNull(credential, "credential");
        runId = runId == null ? "" : runId;
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(approvalUse, "approvalUse");
        Objects.requireNonNull(degradation, "degradation");
        Objects.requireNonNull(trace, "trace");
    }

    /** A call as an ingress adapter hands it to the pipeline: nothing resolved yet. */
    public static ToolCall received(String id, Protocol protocol, String tool, Invocation invocation, Secret credential,
            String runId, Mode mode, Instant receivedAt) {
        return new ToolCall(id, protocol, tool, invocation, credential, runId, mode, receivedAt, Optional.empty(),
                Optional.empty(), Optional.empty(), Usage.NONE, Optional.empty(), Optional.empty(),
                ApprovalUse.NONE, Optional.empty(), Optional.empty());
    }

    /** The same call with the invocation a stage made canonical (e.g. its path re-encoded from the checked values). */
    public ToolCall withInvocation(Invocation i) {
        return new ToolCall(id, protocol, tool, i, credential, runId, mode, receivedAt, principal, action, decision,
                usage, approvalId, idempotencyKey, approvalUse, degradation, trace);
    }

    /** The same call in the run its credential pins it to. */
    public ToolCall withRunId(String run) {
        return new ToolCall(id, protocol, tool, invocation, credential, run, mode, receivedAt, principal, action,
                decision, usage, approvalId, idempotencyKey, approvalUse, degradation, trace);
    }

    public ToolCall withPrincipal(Principal p) {
        return new ToolCall(id, protocol, tool, invocation, credential, runId, mode, receivedAt, Optional.of(p), action,
                decision, usage, approvalId, idempotencyKey, approvalUse, degradation, trace);
    }

    public ToolCall withAction(ResolvedAction a) {
        return new ToolCall(id, protocol, tool, invocation, credential, runId, mode, receivedAt, principal,
                Optional.of(a), decision, usage, approvalId, idempotencyKey, approvalUse, degradation, trace);
    }

    public ToolCall withDecision(Decision d) {
        return new ToolCall(id, protocol, tool, invocation, credential, runId, mode, receivedAt, principal, action,
                Optional.of(d), usage, approvalId, idempotencyKey, approvalUse, degradation, trace);
    }

    public ToolCall withUsage(Usage u) {
        return new ToolCall(id, protocol, tool, invocation, credential, runId, mode, receivedAt, principal, action,
                decision, u, approvalId, idempotencyKey, approvalUse, degradation, trace);
    }

    /** The call with what the agent sent to redeem an approval and to make the call idempotent. */
    public ToolCall withRequestOptions(Optional<String> approval, Optional<String> key) {
        return new ToolCall(id, protocol, tool, invocation, credential, runId, mode, receivedAt, principal, action,
                decision, usage, approval, key, approvalUse, degradation, trace);
    }

    public ToolCall withApprovalUse(ApprovalUse use) {
        return new ToolCall(id, protocol, tool, invocation, credential, runId, mode, receivedAt, principal, action,
                decision, usage, approvalId, idempotencyKey, use, degradation, trace);
    }

    /** The same call in the trace {@code t}: the agent's as received, or toolgate's span once the pipeline made one. */
    public ToolCall withTrace(Optional<TraceContext> t) {
        return new ToolCall(id, protocol, tool, invocation, credential, runId, mode, receivedAt, principal, action,
                decision, usage, approvalId, idempotencyKey, approvalUse, degradation, t);
    }

    /** The same call in another mode (a {@code degrade} budget turns a call into a dry run). */
    public ToolCall withMode(Mode m) {
        return new ToolCall(id, protocol, tool, invocation, credential, runId, m, receivedAt, principal, action,
                decision, usage, approvalId, idempotencyKey, approvalUse, degradation, trace);
    }

    /**
     * The fallback of this call: a new call of {@code fallbackTool} with the same decision id, identity, run, mode and
     * idempotency key, that every stage after identity decides afresh. It carries no approval: an approval is bound to
     * the payload it was given for, and the fallback's payload is another.
     */
    public ToolCall degradedTo(String fallbackTool, Invocation fallbackInvocation, Degradation from) {
        return new ToolCall(id, protocol, fallbackTool, fallbackInvocation, credential, runId, mode, receivedAt,
                principal, Optional.empty(), Optional.empty(), Usage.NONE, Optional.empty(), idempotencyKey,
                ApprovalUse.NONE, Optional.of(from), trace);
    }

    /**
     * The approval tier the call needs, once the policy has decided: the policy's tier, raised to at least
     * {@link ApprovalTier#REQUIRED} when the call is an action of an irreversible tool (reading an MCP server's
     * resources or keeping its session going acts on nothing).
     */
    public Optional<ApprovalTier> approvalNeeded() {
        return decision.flatMap(d -> action.map(a -> a.tool().reversible() || a.action().role() != ActionSpec.Role.TOOL
                ? d.approval()
                : d.approval().atLeast(ApprovalTier.REQUIRED)));
    }

    @Override
    public String toString() {
        return "ToolCall[" + id + " " + protocol.code() + " " + tool + " " + invocation.method() + " run=" + runId
                + " " + mode.code() + "]";
    }
}
