package dev.toolgate.pipeline;

import static dev.toolgate.pipeline.PipelineHarness.await;
import static dev.toolgate.pipeline.PipelineHarness.identify;
import static dev.toolgate.pipeline.PipelineHarness.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.toolgate.call.Degradation;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.RecordingAuditLog.Entry;
import io.smallrye.mutiny.Uni;

/**
 * A call that a stage degrades to its fallback is replaced by a call of its own, which every stage after identity
 * decides; a call that never reached its tool is released, not settled.
 */
class PipelineDegradeTest {

    private final PipelineHarness harness = new PipelineHarness();

    private static ToolCall fallbackOf(ToolCall call) {
        return call.degradedTo("archive", new Invocation("GET", "/charges/ch_1", Map.of(), new byte[0]),
                new Degradation("payments", "refunds.create", "charges.cached", JsonNodeFactory.instance.objectNode()));
    }

    /** A limits stage that degrades the agent's call and lets its fallback through with a reservation of its own. */
    private static ScriptedStage degradingOnce(RecordingAfterCall reservation) {
        return ScriptedStage.deciding("limits", Stages.LIMITS, call -> Uni.createFrom().item(
                call.degradation().isPresent() ? new StageResult.Continue(call, java.util.Optional.of(reservation))
                        : new StageResult.Degrade(fallbackOf(call))));
    }

    @Test
    void runsTheFallbackThroughEveryStageAfterIdentityAndGivesBackWhatTheCallTook() {
        // given an approval taken by the agent's call and a limits stage that degrades it
        RecordingAfterCall approval = RecordingAfterCall.recording();
        RecordingAfterCall reservation = RecordingAfterCall.recording();
        ScriptedStage identity = identify();
        ScriptedStage contract = ScriptedStage.continuing("contract", Stages.CONTRACT);
        ScriptedStage approvals = ScriptedStage.reserving("approval", Stages.APPROVAL, approval);
        ScriptedUpstream upstream = ScriptedUpstream.replying("ok");

        // when
        Outcome<String> outcome = await(harness.pipeline(identity, contract, approvals, degradingOnce(reservation))
                .handle(received("call-1"), upstream));

        // then the fallback ran, the agent's call gave its approval back, and identity ran once
        ToolCall ran = assertInstanceOf(Outcome.Answered.class, outcome).call();
        assertEquals("archive", ran.tool());
        assertEquals("refunds.create", ran.degradation().orElseThrow().action());
        assertEquals(1, identity.seen().size(), "identity is kept, not asked again");
        assertEquals(List.of("payments", "archive"), contract.seen().stream().map(ToolCall::tool).toList());
        assertEquals(List.of("abandoned", "forwarded"), approval.hows("call-1"),
                "the agent's call gives back what it took; the fallback's own approval after-call settles");
        assertEquals(List.of("forwarded"), reservation.hows("call-1"));
        assertEquals(List.of("archive"), upstream.sent().stream().map(ToolCall::tool).toList());
        assertEquals(List.of("intent", "outcome"), harness.audit.kindsOf("call-1"));
    }

    @Test
    void refusesAFallbackWithTheReasonOfTheStageThatRefusedIt() {
        // given a policy that denies the fallback
        Denial denied = Denial.of(Reason.POLICY_DENIED, "no archive reads");
        ScriptedStage policy = ScriptedStage.deciding("policy", Stages.POLICY, call -> Uni.createFrom().item(
                call.degradation().isPresent() ? new StageResult.Deny(denied) : new StageResult.Continue(call)));
        ScriptedUpstream upstream = ScriptedUpstream.replying("ok");

        // when
        Outcome<String> outcome = await(harness.pipeline(identify(), policy,
                degradingOnce(RecordingAfterCall.recording())).handle(received("call-1"), upstream));

        // then
        Outcome.Refused<?> refused = assertInstanceOf(Outcome.Refused.class, outcome);
        assertEquals(denied, refused.denial());
        assertEquals("archive", refused.call().tool());
        assertEquals(List.of(), upstream.sent());
        assertEquals(List.of(new Entry("denied", "call-1", PipelineHarness.POLICY_REVISION, "policy_denied")),
                harness.audit.entries());
    }

    @Test
    void neverDegradesAFallbackAgain() {
        // given a stage that degrades every call, its fallbacks too
        ScriptedStage limits = ScriptedStage.deciding("limits", Stages.LIMITS,
                call -> Uni.createFrom().item(new StageResult.Degrade(fallbackOf(call.degradation().isPresent()
                        ? PipelineHarness.identified(call.id())
                        : call))));
        ScriptedUpstream upstream = ScriptedUpstream.replying("ok");

        // when
        Outcome<String> outcome = await(harness.pipeline(identify(), limits).handle(received("call-1"), upstream));

        // then the pipeline stops rather than loop
        assertEquals(Reason.GATEWAY_ERROR, assertInstanceOf(Outcome.Refused.class, outcome).denial().reason());
        assertEquals(List.of(), upstream.sent());
    }

    @Test
    void releasesACallThatNeverReachedItsTool() {
        // given an upstream that could not open a connection
        RecordingAfterCall reservation = RecordingAfterCall.recording();
        ScriptedUpstream upstream = ScriptedUpstream.answering(call -> Uni.createFrom().item(
                new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE, "no connection"),
                        UpstreamResult.Delivery.NOT_SENT)));

        // when
        Outcome<String> outcome = await(harness.pipeline(identify(), ScriptedStage.reserving("limits",
                Stages.LIMITS, reservation)).handle(received("call-1"), upstream));

        // then the reservation is released, not settled at the estimate, and the outcome says why
        assertEquals(Reason.UPSTREAM_UNAVAILABLE, assertInstanceOf(Outcome.Refused.class, outcome).denial().reason());
        assertEquals(List.of("abandoned"), reservation.hows("call-1"));
        assertEquals(List.of("intent", "outcome"), harness.audit.kindsOf("call-1"));
        assertEquals("not_sent", harness.audit.entries().get(1).detail());
    }
}
