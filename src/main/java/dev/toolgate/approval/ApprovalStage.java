package dev.toolgate.approval;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.toolgate.call.ApprovalTier;
import dev.toolgate.call.CallIds;
import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Denial;
import dev.toolgate.call.IdempotencyScope;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Reason;
import dev.toolgate.call.Redaction;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.AfterCall;
import dev.toolgate.pipeline.ApprovalEvent;
import dev.toolgate.pipeline.AuditLog;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.Escalations;
import dev.toolgate.pipeline.Stage;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.Stages;
import dev.toolgate.pipeline.StoredReply;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;

/**
 * Holds back every call that needs a human sign-off: the policy asked for {@code required} or {@code dual}, or the
 * tool is irreversible. Without {@code Toolgate-Approval} such a call opens an approval request bound to its exact
 * payload and is answered {@code approval_required} with the request's id. With it, the approval is redeemed: it
 * passes only when granted, unexpired, unused, for the same agent and run, and for the same payload hash, and it is
 * consumed in the same atomic step; otherwise {@code approval_invalid} says why. A call that redeemed an approval and
 * is then never forwarded (a later stage denied it, its intent could not be recorded) gives it back. A retry of the
 * redeeming call with the same {@code Idempotency-Key} passes as a repeat, consuming nothing, so that the idempotency
 * stage replays the first reply; hence the approval ttl may not exceed the idempotency ttl.
 */
// built at start, so that a ttl it refuses stops startup instead of the first call
@Startup
@ApplicationScoped
public class ApprovalStage implements Stage {

    private final ApprovalStore store;
    private final AuditLog audit;
    private final ApprovalWebhook webhook;
    private final Duration ttl;
    private final int maxPending;
    private final Clock clock;
    private final LateRedemptions late;

    @Inject
    ApprovalStage(ApprovalStore store, AuditLog audit, ApprovalWebhook webhook, ToolgateConfig config) {
        this(store, audit, webhook, checkedTtl(config.approvals().ttl(), config.idempotency().ttl()),
                config.approvals().maxPending(), Clock.systemUTC());
    }

    ApprovalStage(ApprovalStore store, AuditLog audit, ApprovalWebhook webhook, Duration ttl, int maxPending,
            Clock clock) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("toolgate.approvals.max-pending must be at least 1");
        }
        this.store = store;
        this.audit = audit;
        this.webhook = webhook;
        this.ttl = ttl;
        this.maxPending = maxPending;
        this.clock = clock;
        this.late = new LateRedemptions(store, audit);
    }

    @Override
    public int position() {
        return Stages.APPROVAL;
    }

    @Override
    public String name() {
        return "approval";
    }

    @Override
    public Uni<StageResult> apply(ToolCall call, CallContext ctx) {
        // without a decision (a bug upstream) the call needs the strictest review, never none
        ApprovalTier tier = call.approvalNeeded().orElse(ApprovalTier.REQUIRED);
        ResolvedAction resolved = call.action().orElseThrow();
        if (tier == ApprovalTier.NONE) {
            // an approval sent anyway was opened by an escalation (a spent budget): redeem it, so that the limits stage
            // sees a signed-off call
            return call.approvalId().isPresent() && call.mode() != Mode.DRY_RUN
                    ? redeem(call, resolved, call.approvalId().get())
                    : Uni.createFrom().item(StageResult.next(call));
        }
        Denial required = Denial.of(Reason.APPROVAL_REQUIRED, tier == ApprovalTier.DUAL
                ? "this call needs the sign-off of two approvers"
                : "this call needs a human sign-off")
                .with("approval_tier", tier.code())
                .with("payload_sha256", resolved.payloadSha256());
        if (call.mode() == Mode.DRY_RUN) {
            // a dry run says what approval would be needed and for which payload, and opens nothing
            return Uni.createFrom().item(StageResult.deny(required));
        }
        if (call.approvalId().isPresent()) {
            return redeem(call, resolved, call.approvalId().get());
        }
        return open(call, resolved, tier, required);
    }

    /**
     * The approval ttl, when it is no longer than the idempotency ttl: a retry that carries its approval and its
     * Idempotency-Key is let through as a repeat, which is safe only while the first call's idempotency record lives.
     */
    static Duration checkedTtl(Duration approvalTtl, Duration idempotencyTtl) {
        if (approvalTtl.compareTo(idempotencyTtl) > 0) {
            throw new IllegalArgumentException("toolgate.approvals.ttl (" + approvalTtl
                    + ") must not be longer than toolgate.idempotency.ttl (" + idempotencyTtl
                    + "): a retry of an approved call with its Idempotency-Key is only replayed while the reply is kept");
        }
        return approvalTtl;
    }

    private Uni<StageResult> redeem(ToolCall call, ResolvedAction resolved, String approvalId) {
        Principal who = call.principal().orElseThrow();
        Optional<String> scope = call.idempotencyKey()
                .map(key -> IdempotencyScope.of(who.tenant(), who.agent(), resolved.tool().name(), key));
        return store.redeem(who.tenant(), approvalId, new ApprovalStore.Redemption(who.agent(), call.runId(),
                resolved.payloadSha256(), call.id(), scope), clock.instant())
                // no answer: the call fails closed, and a redemption the store applies later is given back
                .onFailure().invoke(() -> late.unanswered(who.tenant(), approvalId, call.id()))
                .chain(redeemed -> switch (redeemed) {
                    // a retry of the redeeming call: the idempotency stage replays its reply or holds it back; it
                    // consumed nothing, so there is nothing to audit and nothing to give back
                    case ApprovalStore.Redeemed.Ok ok when ok.repeat() -> Uni.createFrom()
                            .item(StageResult.next(call.withApprovalUse(ToolCall.ApprovalUse.REPEAT)));
                    case ApprovalStore.Redeemed.Ok ok -> audit.approval(event("redeemed", ok.approval(), call.id(),
                            who.agent()))
                            // unrecorded, the redemption is undone quietly: the call fails closed and never goes out
                            .onFailure().call(() -> store.restore(who.tenant(), approvalId, call.id())
                                    .onFailure().recoverWithNull())
                            .replaceWith(new StageResult.Continue(call.withApprovalUse(use(ok.approval())),
                                    Optional.of(new GiveBack(store, audit, ok.approval(), call.id()))));
                    case ApprovalStore.Redeemed.Invalid invalid -> Uni.createFrom().item(StageResult.deny(Denial.of(
                            Reason.APPROVAL_INVALID, why(invalid.cause()))
                            .with("approval_id", approvalId)
                            .with("cause", invalid.cause().name().toLowerCase(java.util.Locale.ROOT))));
                });
    }

    private Uni<StageResult> open(ToolCall call, ResolvedAction resolved, ApprovalTier tier, Denial required) {
        return ask(call, tier, call.decision().map(d -> d.reasons()).orElse(List.of()), tier.code())
                .map(asked -> switch (asked) {
                    case Escalations.Asked.Waiting w -> (StageResult) new StageResult.Suspend(
                            required.with("approval_id", w.approvalId())
                                    .with("expires_at", w.expiresAt().toString()));
                    case Escalations.Asked.Refused r -> StageResult.deny(r.denial());
                });
    }

    /** Why an escalating budget asks (see {@link #ask}). */
    static final String ESCALATION = "escalation";

    /**
     * Asks for a sign-off of the call's payload: opens a request, audits it and notifies the webhook, unless this
     * call (agent, run, payload and {@code why}) waits on a request already, which is then the answer, or the agent
     * has {@code toolgate.approvals.max-pending} requests waiting (429 {@code rate_limited}). Also how an escalating
     * budget asks ({@link ApprovalEscalations}).
     *
     * @param why what the request is for: the tier, or {@link #ESCALATION} (an approval of one kind never stands in for
     *        the other: only an escalation's lifts a budget)
     */
    Uni<Escalations.Asked> ask(ToolCall call, ApprovalTier tier, List<String> reasons, String why) {
        Principal who = call.principal().orElseThrow();
        ResolvedAction resolved = call.action().orElseThrow();
        Instant now = clock.instant();
        List<String> redact = call.decision().map(d -> d.redact()).orElse(List.of());
        ApprovalStore.Approval request = new ApprovalStore.Approval(CallIds.next(), who.tenant(), who.agent(),
                call.runId(), resolved.tool().name(), resolved.action().name(), resolved.payloadSha256(),
                Redaction.apply(resolved.args(), redact), reasons, tier, !resolved.tool().reversible(), now,
                now.plus(ttl), ApprovalStore.State.PENDING, List.of(), Optional.empty());
        String sameCall = CanonicalJson.sha256Hex(String.join("\n", who.agent(), call.runId(),
                resolved.payloadSha256(), why).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return store.open(request, sameCall, maxPending).chain(opened -> switch (opened) {
            case ApprovalStore.Opened.Created c -> audit.approval(event("opened", request, call.id(), who.agent()))
                    .invoke(() -> webhook.opened(request))
                    .replaceWith((Escalations.Asked) new Escalations.Asked.Waiting(request.id(), request.expiresAt()));
            case ApprovalStore.Opened.Waiting w -> Uni.createFrom().item(new Escalations.Asked.Waiting(w.id(), w.expiresAt()));
            case ApprovalStore.Opened.TooMany t -> Uni.createFrom().item(new Escalations.Asked.Refused(Denial.of(
                    Reason.RATE_LIMITED, "agent " + who.agent() + " has " + t.pending() + " approval requests waiting,"
                            + " the most it may (toolgate.approvals.max-pending = " + maxPending + ")")
                    .with("limit", "approvals.max-pending")
                    .with("max_pending", maxPending)));
        });
    }

    /** Gives the approval back when its call is never forwarded; a forwarded call has spent it. */
    private record GiveBack(ApprovalStore store, AuditLog audit, ApprovalStore.Approval redeemed, String decisionId)
            implements
                AfterCall {

        @Override
        public Uni<Void> forwarded(ToolCall call, OptionalLong cost, Optional<StoredReply> reply) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> abandoned(ToolCall call) {
            return store.restore(redeemed.tenant(), redeemed.id(), decisionId).chain(restored -> restored
                    ? audit.approval(event("restored", ApprovalRules.with(redeemed, ApprovalStore.State.APPROVED,
                            redeemed.approvers(), redeemed.rejectedBy()), decisionId, "toolgate"))
                    : Uni.createFrom().voidItem());
        }
    }

    /** Whether the approval was one an escalating budget asked for (its approver was shown the spent budget). */
    private static ToolCall.ApprovalUse use(ApprovalStore.Approval approval) {
        return approval.reasons().stream().anyMatch(r -> r.startsWith(Escalations.REASON_PREFIX))
                ? ToolCall.ApprovalUse.REDEEMED_OVER_BUDGET
                : ToolCall.ApprovalUse.REDEEMED;
    }

    static ApprovalEvent event(String event, ApprovalStore.Approval a, String decisionId, String actor) {
        return new ApprovalEvent(event, a.id(), decisionId, a.tenant(), actor, a.tool(), a.action(),
                a.payloadSha256(), a.tier().code(), a.state().code());
    }

    private static String why(ApprovalStore.Redeemed.Invalid.Cause cause) {
        return switch (cause) {
            case NOT_FOUND -> "no such approval for this tenant";
            case PENDING -> "the approval has not been granted yet";
            case REJECTED -> "the approval was rejected";
            case EXPIRED -> "the approval has expired";
            case USED -> "the approval was already used";
            case OTHER_PRINCIPAL -> "the approval was requested by another agent";
            case OTHER_RUN -> "the approval was requested in another run";
            case PAYLOAD_CHANGED -> "the payload changed since it was approved";
        };
    }
}
