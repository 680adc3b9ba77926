package dev.toolgate.pipeline;

import static dev.toolgate.pipeline.PipelineHarness.BOT;
import static dev.toolgate.pipeline.PipelineHarness.POLICY_REVISION;
import static dev.toolgate.pipeline.PipelineHarness.await;
import static dev.toolgate.pipeline.PipelineHarness.identified;
import static dev.toolgate.pipeline.PipelineHarness.identify;
import static dev.toolgate.pipeline.PipelineHarness.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.RecordingAuditLog.Entry;
import io.smallrye.mutiny.Uni;

/**
 * The order of the stages and how a call leaves them: forwarded, refused by a denial or a suspension, proposed as a
 * dry run, or replayed from an idempotency record.
 */
class PipelineOrderTest {

    private final PipelineHarness harness = new PipelineHarness();

    @Test
    void runsTheStagesByPositionWhateverTheOrderTheyAreGiven() {
        // given: the six stages, handed over out of order, each noting when it runs
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        Pipeline pipeline = harness.pipeline(noting(ran, "idempotency", Stages.IDEMPOTENCY),
                noting(ran, "policy", Stages.POLICY), noting(ran, "identify", Stages.IDENTIFY),
                noting(ran, "limits", Stages.LIMITS), noting(ran, "contract", Stages.CONTRACT),
                noting(ran, "approval", Stages.APPROVAL));
        ScriptedUpstream upstream = ScriptedUpstream.replying("{\"refund\":\"r-1\"}");

        // when
        Outcome<String> outcome = await(pipeline.handle(received("call-1"), upstream));

        // then
        List<String> inOrder = List.of("identify", "contract", "policy", "approval", "limits", "idempotency");
        assertEquals(inOrder, ran);
        assertEquals(inOrder, pipeline.stageNames());
        assertEquals("{\"refund\":\"r-1\"}", assertInstanceOf(Outcome.Answered.class, outcome).reply());
        assertEquals(1, upstream.sent().size());
        assertEquals(List.of("intent", "outcome"), harness.audit.kindsOf("call-1"));
        assertEquals(1, harness.counted("forwarded", ""));
    }

    @Test
    void eachStageSeesTheCallThePreviousStageReturned() {
        // given: identity adds the principal, the contract stage the request options, approval its use
        ScriptedStage contract = ScriptedStage.enriching("contract", Stages.CONTRACT,
                call -> call.withRequestOptions(Optional.of("apr-1"), Optional.of("key-1")));
        ScriptedStage approval = ScriptedStage.enriching("approval", Stages.APPROVAL,
                call -> call.withApprovalUse(ToolCall.ApprovalUse.REDEEMED));
        ScriptedStage limits = ScriptedStage.continuing("limits", Stages.LIMITS);
        ScriptedStage identify = identify();
        Pipeline pipeline = harness.pipeline(limits, approval, contract, identify);
        ScriptedUpstream upstream = ScriptedUpstream.replying("ok");
        ToolCall received = received("call-1");

        // when
        Outcome<String> outcome = await(pipeline.handle(received, upstream));

        // then
        assertEquals(List.of(received), identify.seen());
        ToolCall atContract = contract.seen().get(0);
        assertEquals(Optional.of(BOT), atContract.principal());
        assertEquals(Optional.empty(), atContract.idempotencyKey());
        ToolCall atApproval = approval.seen().get(0);
        assertEquals(Optional.of(BOT), atApproval.principal());
        assertEquals(Optional.of("key-1"), atApproval.idempotencyKey());
        assertEquals(ToolCall.ApprovalUse.NONE, atApproval.approvalUse());
        ToolCall atLimits = limits.seen().get(0);
        assertEquals(ToolCall.ApprovalUse.REDEEMED, atLimits.approvalUse());
        assertEquals(Optional.of("apr-1"), atLimits.approvalId());
        assertEquals(List.of(atLimits), upstream.sent(), "the upstream gets the call as the last stage returned it");
        assertEquals(atLimits, outcome.call());
    }

    @Test
    void everyStageOfACallSeesThePolicyRevisionTheCallArrivedUnder() {
        // given: a policy reload lands while the call is between two stages
        ScriptedStage contract = ScriptedStage.deciding("contract", Stages.CONTRACT, call -> {
            harness.active.publishPolicyRevision("policy-rev-8");
            return Uni.createFrom().item(new StageResult.Continue(call));
        });
        ScriptedStage policy = ScriptedStage.continuing("policy", Stages.POLICY);
        Pipeline pipeline = harness.pipeline(identify(), contract, policy);

        // when
        Outcome<String> outcome = await(pipeline.handle(received("call-1"), ScriptedUpstream.replying("ok")));

        // then
        assertEquals(POLICY_REVISION, policy.contexts().get(0).policyRevision());
        assertEquals(POLICY_REVISION, outcome.policyRevision());
        assertEquals(List.of(new Entry("intent", "call-1", POLICY_REVISION, ""),
                new Entry("outcome", "call-1", POLICY_REVISION, "200")), harness.audit.entries());
    }

    @Test
    void aDenialStopsTheRestAndRefusesTheCallWithThatDenial() {
        // given
        Denial denial = Denial.of(Reason.POLICY_DENIED, "refunds above 100 need a human");
        ScriptedStage approval = ScriptedStage.continuing("approval", Stages.APPROVAL);
        ScriptedStage limits = ScriptedStage.continuing("limits", Stages.LIMITS);
        Pipeline pipeline = harness.pipeline(identify(), ScriptedStage.denying("policy", Stages.POLICY, denial),
                approval, limits);
        ScriptedUpstream upstream = ScriptedUpstream.replying("ok");

        // when
        Outcome<String> outcome = await(pipeline.handle(received("call-1"), upstream));

        // then
        Outcome.Refused<?> refused = assertInstanceOf(Outcome.Refused.class, outcome);
        assertEquals(denial, refused.denial());
        assertEquals(Optional.of(BOT), refused.call().principal(), "refused as far as the stages resolved it");
        assertEquals(List.of(), approval.seen(), "no stage after the denial runs");
        assertEquals(List.of(), limits.seen(), "no stage after the denial runs");
        assertEquals(List.of(), upstream.sent(), "a denied call is never forwarded");
        assertEquals(List.of(new Entry("denied", "call-1", POLICY_REVISION, "policy_denied")),
                harness.audit.entries());
        assertEquals(1, harness.counted("denied", "policy_denied"));
        assertEquals(1, harness.countedInAll());
    }

    @Test
    void aDenialRefusesTheCallAsFarAsTheDenyingStageResolvedIt() {
        // given: the policy stage denies with the call it resolved (e.g. the decision that denied it)
        Denial denial = Denial.of(Reason.POLICY_DENIED, "denied");
        ScriptedStage policy = ScriptedStage.deciding("policy", Stages.POLICY, call -> Uni.createFrom()
                .item(new StageResult.Deny(denial, Optional.of(call.withRequestOptions(Optional.of("resolved"),
                        Optional.empty())))));
        Pipeline pipeline = harness.pipeline(identify(), policy);

        // when
        Outcome<String> outcome = await(pipeline.handle(received("call-1"), ScriptedUpstream.replying("ok")));

        // then
        assertEquals(Optional.of("resolved"), outcome.call().approvalId());
        assertEquals(denial, assertInstanceOf(Outcome.Refused.class, outcome).denial());
    }

    @Test
    void aSuspensionStopsTheRestAndRefusesTheCallWithItsReason() {
        // given
        Denial approvalRequired = Denial.of(Reason.APPROVAL_REQUIRED, "a human must sign off").with("approval_id",
                "apr-9");
        ScriptedStage approval = ScriptedStage.deciding("approval", Stages.APPROVAL,
                call -> Uni.createFrom().item(new StageResult.Suspend(approvalRequired)));
        ScriptedStage limits = ScriptedStage.continuing("limits", Stages.LIMITS);
        ScriptedUpstream upstream = ScriptedUpstream.replying("ok");

        // when
        Outcome<String> outcome = await(harness.pipeline(identify(), approval, limits).handle(received("call-1"),
                upstream));

        // then
        assertEquals(approvalRequired, assertInstanceOf(Outcome.Refused.class, outcome).denial());
        assertEquals(List.of(), limits.seen());
        assertEquals(List.of(), upstream.sent());
        assertEquals(List.of(new Entry("denied", "call-1", POLICY_REVISION, "approval_required")),
                harness.audit.entries());
    }

    @Test
    void aDryRunOfAnAllowedCallIsProposedAndNothingIsForwarded() {
        // given
        ScriptedStage limits = ScriptedStage.continuing("limits", Stages.LIMITS);
        ScriptedUpstream upstream = ScriptedUpstream.replying("ok");

        // when
        Outcome<String> outcome = await(harness.pipeline(identify(), limits)
                .handle(received("call-1", Mode.DRY_RUN), upstream));

        // then
        Outcome.Proposed<?> proposed = assertInstanceOf(Outcome.Proposed.class, outcome);
        assertEquals(Optional.empty(), proposed.denial());
        assertEquals(1, limits.seen().size(), "a dry run evaluates every stage");
        assertEquals(List.of(), upstream.sent());
        assertEquals(List.of(new Entry("proposed", "call-1", POLICY_REVISION, "")), harness.audit.entries());
        assertEquals(1, harness.counted("dry_run", ""));
    }

    @Test
    void aDryRunOfADeniedCallProposesTheDenial() {
        // given
        Denial overBudget = Denial.of(Reason.BUDGET_EXCEEDED, "the monthly budget is spent");
        ScriptedUpstream upstream = ScriptedUpstream.replying("ok");

        // when
        Outcome<String> outcome = await(harness.pipeline(identify(),
                ScriptedStage.denying("limits", Stages.LIMITS, overBudget)).handle(received("call-1", Mode.DRY_RUN),
                        upstream));

        // then
        assertEquals(Optional.of(overBudget), assertInstanceOf(Outcome.Proposed.class, outcome).denial());
        assertEquals(List.of(), upstream.sent());
        assertEquals(List.of(new Entry("proposed", "call-1", POLICY_REVISION, "budget_exceeded")),
                harness.audit.entries());
        assertEquals(1, harness.counted("dry_run", "budget_exceeded"));
    }

    @Test
    void aDryRunOfAnUnidentifiedCallIsRefusedLikeAnyOther() {
        // given
        Denial unauthenticated = Denial.of(Reason.UNAUTHENTICATED, "no credential");

        // when
        Outcome<String> outcome = await(harness.pipeline(
                ScriptedStage.denying("identify", Stages.IDENTIFY, unauthenticated)).handle(
                        received("call-1", Mode.DRY_RUN), ScriptedUpstream.replying("ok")));

        // then
        assertEquals(unauthenticated, assertInstanceOf(Outcome.Refused.class, outcome).denial());
        assertEquals(List.of(new Entry("denied", "call-1", POLICY_REVISION, "unauthenticated")),
                harness.audit.entries());
    }

    @Test
    void anIdempotentRepeatIsAnsweredWithTheKeptReplyAndNotForwarded() {
        // given
        ScriptedStage idempotency = ScriptedStage.deciding("idempotency", Stages.IDEMPOTENCY,
                call -> Uni.createFrom().item(new StageResult.Replay(call, ScriptedUpstream.kept("{\"refund\":\"r-1\"}"),
                        "call-0")));
        ScriptedUpstream upstream = ScriptedUpstream.replying("a second refund");

        // when
        Outcome<String> outcome = await(harness.pipeline(identify(), idempotency).handle(received("call-1"),
                upstream));

        // then
        Outcome.Replayed<?> replayed = assertInstanceOf(Outcome.Replayed.class, outcome);
        assertEquals("{\"refund\":\"r-1\"}", replayed.reply());
        assertEquals("call-0", replayed.originalDecisionId());
        assertEquals(List.of(), upstream.sent());
        assertEquals(List.of(new Entry("replayed", "call-1", POLICY_REVISION, "call-0")), harness.audit.entries());
        assertEquals(1, harness.counted("replayed", ""));
    }

    @Test
    void aKeptReplyTheUpstreamCannotDecodeIsRefusedAsAnIdempotencyConflict() {
        // given: the reply was kept by another protocol under the same key
        StoredReply grpcReply = new StoredReply("grpc", "\u0008\u0001".getBytes(StandardCharsets.UTF_8));
        ScriptedStage idempotency = ScriptedStage.deciding("idempotency", Stages.IDEMPOTENCY,
                call -> Uni.createFrom().item(new StageResult.Replay(call, grpcReply, "call-0")));
        ScriptedUpstream upstream = ScriptedUpstream.replying("ok");

        // when
        Outcome<String> outcome = await(harness.pipeline(identify(), idempotency).handle(received("call-1"),
                upstream));

        // then
        assertEquals(Reason.IDEMPOTENCY_CONFLICT, assertInstanceOf(Outcome.Refused.class, outcome).denial().reason());
        assertEquals(List.of(), upstream.sent());
        assertEquals(List.of(new Entry("denied", "call-1", POLICY_REVISION, "idempotency_conflict")),
                harness.audit.entries());
    }

    @Test
    void onlyTheStagesAfterIdentityFilterAListing() {
        // given: identity would hide everything if it were asked; contract hides b, policy hides c
        ScriptedStage identify = ScriptedStage.showing("identify", Stages.IDENTIFY,
                (candidates, ctx) -> Uni.createFrom().item(List.of()));
        ScriptedStage contract = ScriptedStage.showing("contract", Stages.CONTRACT, hiding("list-b"));
        ScriptedStage policy = ScriptedStage.showing("policy", Stages.POLICY, hiding("list-c"));
        List<ToolCall> candidates = listing("list-a", "list-b", "list-c", "list-d");

        // when
        List<ToolCall> shown = await(harness.pipeline(policy, identify, contract).visible(candidates));

        // then
        assertEquals(List.of("list-a", "list-d"), shown.stream().map(ToolCall::id).toList());
        assertEquals(List.of(), identify.asked(), "identity does not filter a listing");
        assertEquals(List.of(List.of("list-a", "list-b", "list-c", "list-d")), ids(contract.asked()));
        assertEquals(List.of(List.of("list-a", "list-c", "list-d")), ids(policy.asked()),
                "each stage filters what the one before it left");
        assertEquals(List.of(), harness.audit.entries(), "a listing is not audited");
    }

    @Test
    void aStageWhoseListingFailsHidesEverything() {
        // given
        ScriptedStage contract = ScriptedStage.showing("contract", Stages.CONTRACT, hiding("list-b"));
        ScriptedStage policy = ScriptedStage.showing("policy", Stages.POLICY,
                (candidates, ctx) -> Uni.createFrom().failure(new IllegalStateException("bundle not loaded")));
        ScriptedStage limits = ScriptedStage.showing("limits", Stages.LIMITS, hiding("none"));

        // when
        List<ToolCall> shown = await(harness.pipeline(identify(), contract, policy, limits)
                .visible(listing("list-a", "list-b", "list-c")));

        // then
        assertEquals(List.of(), shown);
        assertEquals(1, policy.asked().size());
        assertEquals(List.of(), limits.asked(), "no stage is asked after one failed");
    }

    @Test
    void aStageWhoseListingThrowsHidesEverything() {
        // given
        ScriptedStage policy = ScriptedStage.showing("policy", Stages.POLICY, (candidates, ctx) -> {
            throw new IllegalStateException("bug");
        });

        // when
        List<ToolCall> shown = await(harness.pipeline(identify(), policy).visible(listing("list-a", "list-b")));

        // then
        assertEquals(List.of(), shown);
        assertEquals(1, policy.asked().size());
    }

    private static ScriptedStage noting(List<String> ran, String name, int position) {
        return ScriptedStage.deciding(name, position, call -> {
            ran.add(name);
            return Uni.createFrom().item(new StageResult.Continue(call));
        });
    }

    private static java.util.function.BiFunction<List<ToolCall>, CallContext, Uni<List<ToolCall>>> hiding(
            String id) {
        return (candidates, ctx) -> Uni.createFrom()
                .item(candidates.stream().filter(c -> !c.id().equals(id)).toList());
    }

    private static List<List<String>> ids(List<List<ToolCall>> asked) {
        return asked.stream().map(calls -> calls.stream().map(ToolCall::id).toList()).toList();
    }

    private static List<ToolCall> listing(String... ids) {
        return java.util.Arrays.stream(ids).map(id -> identified(id).withMode(Mode.LIST)).toList();
    }
}
