package dev.toolgate.pipeline;

import static dev.toolgate.pipeline.PipelineHarness.BOT;
import static dev.toolgate.pipeline.PipelineHarness.LEASE;
import static dev.toolgate.pipeline.PipelineHarness.MAX_PENDING_CHECKS;
import static dev.toolgate.pipeline.PipelineHarness.POLICY_REVISION;
import static dev.toolgate.pipeline.PipelineHarness.await;
import static dev.toolgate.pipeline.PipelineHarness.identify;
import static dev.toolgate.pipeline.PipelineHarness.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.RecordingAfterCall.Finish;
import dev.toolgate.pipeline.RecordingAuditLog.Entry;
import io.smallrye.mutiny.Uni;

/**
 * The stages' after-calls: whichever way a call ends, each is finished exactly once, {@code forwarded} when the tool
 * may have acted and {@code abandoned} when it cannot have, also under concurrency and when a checked call is
 * reported later.
 */
class PipelineAfterCallTest {

    private final PipelineHarness harness = new PipelineHarness();
    private final RecordingAfterCall approvalGiveBack = RecordingAfterCall.recording();
    private final RecordingAfterCall reservation = RecordingAfterCall.recording();

    @Test
    void aForwardedCallFinishesEachAfterCallOnceAtTheCostTheToolReported() {
        // given
        Pipeline pipeline = withTwoAfterCalls(ScriptedStage.continuing("idempotency", Stages.IDEMPOTENCY));
        ScriptedUpstream upstream = ScriptedUpstream.replying("{\"refund\":\"r-1\"}", "201", OptionalLong.of(1_234));

        // when
        Outcome<String> outcome = await(pipeline.handle(received("call-1"), upstream));

        // then
        assertInstanceOf(Outcome.Answered.class, outcome);
        Finish settled = new Finish("call-1", "forwarded", OptionalLong.of(1_234),
                Optional.of("test:{\"refund\":\"r-1\"}"));
        assertFinishedOnce(settled, approvalGiveBack);
        assertFinishedOnce(settled, reservation);
    }

    @Test
    void aLaterDenialAbandonsTheAfterCallsOfTheStagesBeforeIt() {
        // given
        RecordingAfterCall notReached = RecordingAfterCall.recording();
        Pipeline pipeline = harness.pipeline(identify(),
                ScriptedStage.reserving("approval", Stages.APPROVAL, approvalGiveBack),
                ScriptedStage.reserving("limits", Stages.LIMITS, reservation),
                ScriptedStage.denying("idempotency", Stages.IDEMPOTENCY,
                        Denial.of(Reason.IDEMPOTENCY_CONFLICT, "in flight")),
                ScriptedStage.reserving("after-idempotency", Stages.IDEMPOTENCY + 1, notReached));

        // when
        Outcome<String> outcome = await(pipeline.handle(received("call-1"), ScriptedUpstream.replying("ok")));

        // then
        assertEquals(Reason.IDEMPOTENCY_CONFLICT, assertInstanceOf(Outcome.Refused.class, outcome).denial().reason());
        assertEquals(List.of("abandoned"), approvalGiveBack.hows("call-1"));
        assertEquals(List.of("abandoned"), reservation.hows("call-1"));
        assertEquals(List.of(), notReached.finishes(), "a stage that never ran has nothing to finish");
    }

    @Test
    void aDryRunAbandonsItsAfterCalls() {
        // when
        Outcome<String> outcome = await(withTwoAfterCalls().handle(received("call-1", Mode.DRY_RUN),
                ScriptedUpstream.replying("ok")));

        // then
        assertInstanceOf(Outcome.Proposed.class, outcome);
        assertEquals(List.of("abandoned"), approvalGiveBack.hows("call-1"));
        assertEquals(List.of("abandoned"), reservation.hows("call-1"));
    }

    @Test
    void aReplayedCallAbandonsItsAfterCalls() {
        // given
        Pipeline pipeline = withTwoAfterCalls(ScriptedStage.deciding("idempotency", Stages.IDEMPOTENCY,
                call -> Uni.createFrom().item(new StageResult.Replay(call, ScriptedUpstream.kept("ok"), "call-0"))));

        // when
        Outcome<String> outcome = await(pipeline.handle(received("call-1"), ScriptedUpstream.replying("again")));

        // then
        assertInstanceOf(Outcome.Replayed.class, outcome);
        assertEquals(List.of("abandoned"), approvalGiveBack.hows("call-1"));
        assertEquals(List.of("abandoned"), reservation.hows("call-1"));
    }

    @Test
    void aReplayThatCannotBeDecodedAbandonsItsAfterCallsOnce() {
        // given
        Pipeline pipeline = withTwoAfterCalls(ScriptedStage.deciding("idempotency", Stages.IDEMPOTENCY,
                call -> Uni.createFrom().item(new StageResult.Replay(call, new StoredReply("grpc", new byte[] { 1 }),
                        "call-0"))));

        // when
        Outcome<String> outcome = await(pipeline.handle(received("call-1"), ScriptedUpstream.replying("again")));

        // then
        assertEquals(Reason.IDEMPOTENCY_CONFLICT, assertInstanceOf(Outcome.Refused.class, outcome).denial().reason());
        assertEquals(List.of("abandoned"), approvalGiveBack.hows("call-1"));
        assertEquals(List.of("abandoned"), reservation.hows("call-1"));
    }

    @Test
    void aSuspendedCallAbandonsItsAfterCalls() {
        // given
        Pipeline pipeline = withTwoAfterCalls(ScriptedStage.deciding("idempotency", Stages.IDEMPOTENCY,
                call -> Uni.createFrom().item(new StageResult.Suspend(Denial.of(Reason.APPROVAL_REQUIRED, "wait")))));

        // when
        Outcome<String> outcome = await(pipeline.handle(received("call-1"), ScriptedUpstream.replying("ok")));

        // then
        assertEquals(Reason.APPROVAL_REQUIRED, assertInstanceOf(Outcome.Refused.class, outcome).denial().reason());
        assertEquals(List.of("abandoned"), approvalGiveBack.hows("call-1"));
        assertEquals(List.of("abandoned"), reservation.hows("call-1"));
    }

    @Test
    void aCallWhoseIntentCannotBeRecordedAbandonsItsAfterCalls() {
        // given
        harness.audit.failOn("intent");

        // when
        Outcome<String> outcome = await(withTwoAfterCalls().handle(received("call-1"),
                ScriptedUpstream.replying("ok")));

        // then
        assertEquals(Reason.GATEWAY_ERROR, assertInstanceOf(Outcome.Refused.class, outcome).denial().reason());
        assertEquals(List.of("abandoned"), approvalGiveBack.hows("call-1"));
        assertEquals(List.of("abandoned"), reservation.hows("call-1"));
    }

    @Test
    void aFaultInALaterStageAbandonsTheAfterCallsOnce() {
        // when
        Outcome<String> outcome = await(withTwoAfterCalls(ScriptedStage.failing("idempotency", Stages.IDEMPOTENCY))
                .handle(received("call-1"), ScriptedUpstream.replying("ok")));

        // then
        assertEquals(Reason.GATEWAY_ERROR, assertInstanceOf(Outcome.Refused.class, outcome).denial().reason());
        assertEquals(List.of("abandoned"), approvalGiveBack.hows("call-1"));
        assertEquals(List.of("abandoned"), reservation.hows("call-1"));
    }

    @Test
    void aDenialWhoseRecordFailsAbandonsTheAfterCallsOnce() {
        // given: the denial abandons them, then the failed record sends the call down the fault path
        harness.audit.failOn("denied");

        // when
        Outcome<String> outcome = await(withTwoAfterCalls(ScriptedStage.denying("idempotency", Stages.IDEMPOTENCY,
                Denial.of(Reason.IDEMPOTENCY_CONFLICT, "in flight"))).handle(received("call-1"),
                        ScriptedUpstream.replying("ok")));

        // then
        assertInstanceOf(Outcome.Refused.class, outcome);
        assertEquals(List.of("abandoned"), approvalGiveBack.hows("call-1"));
        assertEquals(List.of("abandoned"), reservation.hows("call-1"));
    }

    @Test
    void aCallTheToolFailedSettlesItsAfterCallsAsForwardedWithoutACost() {
        // given: the tool timed out; it may have acted before it did
        Denial timeout = Denial.of(Reason.UPSTREAM_TIMEOUT, "no answer within 10s");

        // when
        Outcome<String> outcome = await(withTwoAfterCalls().handle(received("call-1"),
                ScriptedUpstream.failingWith(timeout)));

        // then
        assertEquals(timeout, assertInstanceOf(Outcome.Refused.class, outcome).denial());
        Finish settledAtTheEstimate = new Finish("call-1", "forwarded", OptionalLong.empty(), Optional.empty());
        assertFinishedOnce(settledAtTheEstimate, approvalGiveBack);
        assertFinishedOnce(settledAtTheEstimate, reservation);
        assertEquals(List.of(new Entry("intent", "call-1", POLICY_REVISION, ""),
                new Entry("outcome", "call-1", POLICY_REVISION, "failed")), harness.audit.entries());
        assertEquals(1, harness.counted("failed", "upstream_timeout"));
    }

    @Test
    void everyAfterCallOfManyConcurrentCallsIsFinishedExactlyOnce() {
        // given: 200 calls, subscribed from four threads; the stages, the after-calls and the upstream complete on
        // three others; the call's number picks how it ends
        int calls = 200;
        ExecutorService callers = Executors.newFixedThreadPool(4);
        ExecutorService stores = Executors.newFixedThreadPool(3);
        try {
            RecordingAfterCall giveBack = RecordingAfterCall.completingOn(stores);
            RecordingAfterCall settle = RecordingAfterCall.completingOn(stores);
            Pipeline pipeline = harness.pipeline(identify(),
                    ScriptedStage.deciding("approval", Stages.APPROVAL, call -> Uni.createFrom()
                            .<StageResult> item(new StageResult.Continue(call, Optional.of(giveBack))).emitOn(stores)),
                    ScriptedStage.deciding("limits", Stages.LIMITS, call -> Uni.createFrom()
                            .<StageResult> item(new StageResult.Continue(call, Optional.of(settle))).emitOn(stores)),
                    ScriptedStage.deciding("idempotency", Stages.IDEMPOTENCY,
                            call -> Uni.createFrom().item(idempotency(call)).emitOn(stores)));
            ScriptedUpstream upstream = ScriptedUpstream.answering(
                    call -> Uni.createFrom().item(() -> tool(call)).emitOn(stores));
            List<Uni<Outcome<String>>> all = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                Mode mode = Ending.values()[i % Ending.values().length] == Ending.DRY_RUN ? Mode.DRY_RUN
                        : Mode.ENFORCE;
                all.add(pipeline.handle(received("call-" + i, mode), upstream).runSubscriptionOn(callers));
            }

            // when
            List<Outcome<String>> outcomes = Uni.join().all(all).andFailFast().await().atMost(Duration.ofSeconds(60));

            // then
            for (int i = 0; i < calls; i++) {
                String id = "call-" + i;
                Ending ending = Ending.values()[i % Ending.values().length];
                List<String> expected = List.of(ending.finish);
                assertEquals(expected, giveBack.hows(id), id + " ended " + ending + ": its approval after-call");
                assertEquals(expected, settle.hows(id), id + " ended " + ending + ": its limits after-call");
                assertInstanceOf(ending.outcome, outcomes.get(i), id + " ended " + ending);
                if (ending == Ending.FORWARDED) {
                    assertEquals(OptionalLong.of(i), settle.finishes(id).get(0).cost(), id + " settled at its cost");
                }
            }
            assertEquals(2 * calls, giveBack.finishes().size() + settle.finishes().size());
        } finally {
            callers.shutdownNow();
            stores.shutdownNow();
        }
    }

    @Test
    void aReportFinishesTheAfterCallsOfAHandedCallOnceAtTheReportedCost() {
        // given: a checked call, handed back to its caller to perform
        Pipeline pipeline = withTwoAfterCalls();
        Outcome<String> checked = await(pipeline.handle(received("call-1"),
                ScriptedUpstream.handing("{\"allowed\":true}")));
        assertEquals("{\"allowed\":true}", assertInstanceOf(Outcome.Answered.class, checked).reply());
        assertEquals(List.of(), reservation.finishes(), "nothing is finished before the caller reports");

        // when
        Optional<ToolCall> reported = await(pipeline.report("call-1", BOT, OptionalLong.of(900), "201"));

        // then
        assertEquals("call-1", reported.orElseThrow().id());
        Finish settled = new Finish("call-1", "forwarded", OptionalLong.of(900), Optional.empty());
        assertFinishedOnce(settled, approvalGiveBack);
        assertFinishedOnce(settled, reservation);
        assertEquals(List.of(new Entry("intent", "call-1", POLICY_REVISION, ""),
                new Entry("outcome", "call-1", POLICY_REVISION, "201")), harness.audit.entries());
        assertEquals(1, harness.counted("checked", ""));
    }

    @Test
    void aSecondReportOfTheSameCallFindsNothing() {
        // given
        Pipeline pipeline = withTwoAfterCalls();
        await(pipeline.handle(received("call-1"), ScriptedUpstream.handing("{}")));
        await(pipeline.report("call-1", BOT, OptionalLong.of(900), "201"));

        // when
        Optional<ToolCall> again = await(pipeline.report("call-1", BOT, OptionalLong.of(5_000), "201"));

        // then
        assertEquals(Optional.empty(), again);
        assertEquals(List.of("forwarded"), reservation.hows("call-1"));
        assertEquals(OptionalLong.of(900), reservation.finishes("call-1").get(0).cost());
        assertEquals(1, harness.audit.entries("outcome").size());
    }

    @Test
    void anotherAgentsReportFindsNothingAndLeavesTheCallToItsOwnAgent() {
        // given
        Pipeline pipeline = withTwoAfterCalls();
        await(pipeline.handle(received("call-1"), ScriptedUpstream.handing("{}")));
        Principal otherAgent = new Principal("other-bot", BOT.tenant(), "", List.of(), AuthMethod.API_KEY);
        Principal otherTenant = new Principal(BOT.agent(), "globex", "", List.of(), AuthMethod.API_KEY);

        // when
        Optional<ToolCall> byOtherAgent = await(pipeline.report("call-1", otherAgent, OptionalLong.of(1), "200"));
        Optional<ToolCall> byOtherTenant = await(pipeline.report("call-1", otherTenant, OptionalLong.of(1), "200"));

        // then
        assertEquals(Optional.empty(), byOtherAgent);
        assertEquals(Optional.empty(), byOtherTenant);
        assertEquals(List.of(), reservation.finishes());
        assertEquals(List.of(), harness.audit.entries("outcome"));
        assertEquals("call-1", await(pipeline.report("call-1", BOT, OptionalLong.of(900), "200")).orElseThrow().id(),
                "the agent that checked the call can still report it");
        assertEquals(List.of("forwarded"), reservation.hows("call-1"));
    }

    @Test
    void aReportAfterTheLeaseFindsNothing() {
        // given: the reservation's lease has run out, and with it the store's hold on it
        Pipeline pipeline = withTwoAfterCalls();
        await(pipeline.handle(received("call-1"), ScriptedUpstream.handing("{}")));
        harness.clock.advance(LEASE.plusSeconds(1));

        // when
        Optional<ToolCall> late = await(pipeline.report("call-1", BOT, OptionalLong.of(900), "200"));

        // then
        assertEquals(Optional.empty(), late);
        assertEquals(List.of(), reservation.finishes());
    }

    @Test
    void anAgentWithTheMostChecksWaitingForTheirReportIsRefusedAnotherAndNothingOfItIsHeld() {
        // given: the agent holds as many unreported checks as it may
        Pipeline pipeline = withTwoAfterCalls();
        for (int i = 1; i <= MAX_PENDING_CHECKS; i++) {
            assertInstanceOf(Outcome.Answered.class, await(pipeline.handle(received("call-" + i),
                    ScriptedUpstream.handing("{}"))));
        }

        // when
        Outcome<String> refused = await(pipeline.handle(received("call-9"), ScriptedUpstream.handing("{}")));

        // then: refused as rate limited, its reservation and approval released at once, its outcome recorded
        Denial denial = assertInstanceOf(Outcome.Refused.class, refused).denial();
        assertEquals(Reason.RATE_LIMITED, denial.reason());
        assertEquals("limits.max-pending-checks", denial.extensions().get("limit"));
        assertEquals(MAX_PENDING_CHECKS, denial.extensions().get("max_pending"));
        Finish released = new Finish("call-9", "abandoned", OptionalLong.empty(), Optional.empty());
        assertFinishedOnce(released, reservation);
        assertFinishedOnce(released, approvalGiveBack);
        assertEquals(List.of(new Entry("intent", "call-9", POLICY_REVISION, ""),
                new Entry("outcome", "call-9", POLICY_REVISION, "not_sent")),
                harness.audit.entries().stream()
                        .filter(e -> e.callId().equals("call-9")).toList());
        assertEquals(Optional.empty(), await(pipeline.report("call-9", BOT, OptionalLong.of(1), "200")),
                "nothing of the refused check is held");
        assertEquals(1, harness.counted("failed", "rate_limited"));

        // and another agent of the tenant is not held back by this one
        Principal other = new Principal("other-bot", BOT.tenant(), "", List.of(), AuthMethod.API_KEY);
        Pipeline others = harness.pipeline(ScriptedStage.enriching("identify", Stages.IDENTIFY,
                call -> call.withPrincipal(other)));
        assertInstanceOf(Outcome.Answered.class, await(others.handle(received("call-10"),
                ScriptedUpstream.handing("{}"))));
    }

    @Test
    void aReportOrAnExpiredLeaseGivesTheAgentItsPlaceBack() {
        // given
        Pipeline pipeline = withTwoAfterCalls();
        for (int i = 1; i <= MAX_PENDING_CHECKS; i++) {
            await(pipeline.handle(received("call-" + i), ScriptedUpstream.handing("{}")));
        }

        // when one is reported, one more may be checked
        await(pipeline.report("call-1", BOT, OptionalLong.of(900), "200"));
        assertInstanceOf(Outcome.Answered.class, await(pipeline.handle(received("call-4"),
                ScriptedUpstream.handing("{}"))));
        assertInstanceOf(Outcome.Refused.class, await(pipeline.handle(received("call-5"),
                ScriptedUpstream.handing("{}"))));

        // and when the leases run out, every place is free again
        harness.clock.advance(LEASE.plusSeconds(2));
        for (int i = 6; i < 6 + MAX_PENDING_CHECKS; i++) {
            assertInstanceOf(Outcome.Answered.class, await(pipeline.handle(received("call-" + i),
                    ScriptedUpstream.handing("{}"))), "call-" + i);
        }
    }

    /** Identity, then approval and limits each continuing with an after-call, then the given stages. */
    private Pipeline withTwoAfterCalls(Stage... later) {
        List<Stage> stages = new ArrayList<>(List.of(identify(),
                ScriptedStage.reserving("approval", Stages.APPROVAL, approvalGiveBack),
                ScriptedStage.reserving("limits", Stages.LIMITS, reservation)));
        stages.addAll(List.of(later));
        return harness.pipeline(stages.toArray(Stage[]::new));
    }

    private static void assertFinishedOnce(Finish expected, RecordingAfterCall after) {
        assertEquals(List.of(expected), after.finishes(expected.callId()));
    }

    /** How a call of the concurrent test ends, by its number modulo the number of endings. */
    private enum Ending {
        FORWARDED("forwarded", Outcome.Answered.class),
        DENIED("abandoned", Outcome.Refused.class),
        FAILED("forwarded", Outcome.Refused.class),
        DRY_RUN("abandoned", Outcome.Proposed.class),
        REPLAYED("abandoned", Outcome.Replayed.class),
        SUSPENDED("abandoned", Outcome.Refused.class),
        // an upstream that fails instead of answering had the call in hand: settled as sent
        BROKEN("forwarded", Outcome.Refused.class);

        final String finish;
        @SuppressWarnings("rawtypes")
        final Class<? extends Outcome> outcome;

        @SuppressWarnings("rawtypes")
        Ending(String finish, Class<? extends Outcome> outcome) {
            this.finish = finish;
            this.outcome = outcome;
        }

        static Ending of(ToolCall call) {
            return values()[number(call) % values().length];
        }
    }

    private static int number(ToolCall call) {
        return Integer.parseInt(call.id().substring("call-".length()));
    }

    private static UpstreamResult<String> tool(ToolCall call) {
        return switch (Ending.of(call)) {
            case FAILED -> new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE, "connection refused"));
            case BROKEN -> throw new IllegalStateException("connection reset");
            default -> new UpstreamResult.Replied<>("ok", "200", OptionalLong.of(number(call)));
        };
    }

    private static StageResult idempotency(ToolCall call) {
        return switch (Ending.of(call)) {
            case DENIED -> new StageResult.Deny(Denial.of(Reason.IDEMPOTENCY_CONFLICT, "in flight"));
            case REPLAYED -> new StageResult.Replay(call, ScriptedUpstream.kept("kept"), "call-0");
            case SUSPENDED -> new StageResult.Suspend(Denial.of(Reason.APPROVAL_REQUIRED, "wait"));
            default -> new StageResult.Continue(call);
        };
    }
}
