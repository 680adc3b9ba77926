package dev.toolgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.toolgate.call.ApprovalTier;
import dev.toolgate.call.Decision;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Reason;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.Stages;

class PolicyStageTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static OpaEngine engine;
    private static PolicyStage stage;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        engine = Opa.bundledEngine(1, false);
        stage = new PolicyStage(engine);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void runsAtThePolicyPosition() {
        assertEquals(Stages.POLICY, stage.position());
        assertEquals("policy", stage.name());
    }

    @Test
    void letsAnAllowedCallContinueCarryingTheDecision() {
        // given
        ToolCall call = Calls.refund(1_000_000);

        // when
        StageResult result = stage.apply(call, Calls.context()).await().atMost(WAIT);

        // then
        var next = assertInstanceOf(StageResult.Continue.class, result);
        Decision decided = next.call().decision().orElseThrow();
        assertEquals(new Decision(true, List.of("refund within the unattended limit"), ApprovalTier.NONE,
                List.of(), engine.revision(), decided.input()), decided);
        assertEquals(PolicyInput.of(call, Calls.context()), decided.input().orElseThrow(),
                "the decision keeps the input it was made on");
        assertEquals(call.id(), next.call().id());
    }

    @Test
    void leavesTheApprovalTierToTheApprovalStage() {
        // given a refund that needs two approvers
        ToolCall call = Calls.refund(1_000_000_001);

        // when
        StageResult result = stage.apply(call, Calls.context()).await().atMost(WAIT);

        // then it continues, carrying the tier for the approval stage
        var next = assertInstanceOf(StageResult.Continue.class, result);
        assertEquals(ApprovalTier.DUAL, next.call().decision().orElseThrow().approval());
    }

    @Test
    void carriesTheFieldsToRedact() {
        ToolCall call = Calls.refund("support-bot", "acme", Calls.json("""
                {"charge": "ch_1", "tenant": "acme", "amount_usd_micros": 5, "cvv": "123", "customer_email": "a@b.c"}"""));

        StageResult result = stage.apply(call, Calls.context()).await().atMost(WAIT);

        var next = assertInstanceOf(StageResult.Continue.class, result);
        assertEquals(List.of("/customer_email", "/cvv"), next.call().decision().orElseThrow().redact());
    }

    @Test
    void deniesWithThePolicysReasons() {
        // given a refund for another tenant without an amount
        ToolCall call = Calls.refund("support-bot", "acme", Calls.json("{\"charge\": \"ch_1\", \"tenant\": \"globex\"}"));

        // when
        StageResult result = stage.apply(call, Calls.context()).await().atMost(WAIT);

        // then
        List<String> reasons = List.of("refund amount must be a non-negative whole number of micro-dollars",
                "refund tenant \"globex\" is not the caller's tenant \"acme\"");
        StageResult.Deny deny = assertInstanceOf(StageResult.Deny.class, result);
        assertEquals(new Denial(Reason.POLICY_DENIED, String.join("; ", reasons), List.of(), Map.of("reasons", reasons)),
                deny.denial());
        assertEquals(Optional.of(false), deny.resolved().flatMap(ToolCall::decision).map(d -> d.allow()),
                "the denial carries the decision for the audit record");
    }

    @Test
    void deniesAProdDeploymentOutsideTheChangeWindow() {
        ToolCall call = Calls.resolved(Calls.principal("release-bot", "acme"), Calls.DEPLOY,
                Calls.json("{\"service\": \"api\", \"environment\": \"prod\"}"),
                java.time.Instant.parse("2026-05-08T17:00:00Z"), Mode.DRY_RUN);

        StageResult result = stage.apply(call, Calls.context()).await().atMost(WAIT);

        var deny = assertInstanceOf(StageResult.Deny.class, result);
        assertEquals("deployment to prod outside the change window (fri 17:00 UTC)", deny.denial().detail());
    }

    @Test
    void deniesWithoutReasonsAsDeniedByPolicy() throws Exception {
        try (CloseableStage tiny = tinyPolicy("decision := {\"allow\": false}")) {
            StageResult result = tiny.apply(Calls.refund(1), Calls.context()).await().atMost(WAIT);

            assertEquals(new Denial(Reason.POLICY_DENIED, "denied by policy", List.of(), Map.of("reasons", List.of())),
                    assertInstanceOf(StageResult.Deny.class, result).denial());
        }
    }

    @Test
    void deniesWhenTheDecisionIsMalformed() throws Exception {
        // given a policy whose allow is not a boolean
        try (CloseableStage tiny = tinyPolicy("decision := {\"allow\": \"yes\", \"approval\": \"none\"}")) {
            // when
            StageResult result = tiny.apply(Calls.refund(1), Calls.context()).await().atMost(WAIT);

            // then
            assertEquals(new StageResult.Deny(Denial.of(Reason.POLICY_DENIED,
                    "the policy returned no valid decision: allow is a string, not a boolean")), result);
        }
    }

    @Test
    void deniesWhenThereIsNoDecision() throws Exception {
        // given a policy whose decision is undefined for this call
        try (CloseableStage tiny = tinyPolicy("decision := {\"allow\": true} if input.call.tool == \"deploy\"")) {
            // when
            StageResult result = tiny.apply(Calls.refund(1), Calls.context()).await().atMost(WAIT);

            // then
            assertEquals(new StageResult.Deny(Denial.of(Reason.POLICY_DENIED,
                    "the policy returned no valid decision: the decision is undefined")), result);
        }
    }

    @Test
    void deniesWhenEvaluationFails() {
        // given an engine that can no longer evaluate
        OpaEngine closed = Opa.bundledEngine(1, true);
        closed.close();

        // when
        StageResult result = new PolicyStage(closed).apply(Calls.refund(1), Calls.context()).await().atMost(WAIT);

        // then
        assertEquals(new StageResult.Deny(Denial.of(Reason.POLICY_DENIED, "the policy could not be evaluated")),
                result);
    }

    @Test
    void deniesACallThatWasNeverResolved() {
        ToolCall unresolved = ToolCall.received("c1", Protocol.HTTP, "payments",
                new Invocation("POST", "/refunds", Map.of(), new byte[0]), Secret.NONE, "", Mode.ENFORCE,
                Calls.MONDAY_10_00).withPrincipal(Calls.principal("support-bot", "acme"));

        StageResult result = stage.apply(unresolved, Calls.context()).await().atMost(WAIT);

        assertEquals(new StageResult.Deny(Denial.of(Reason.POLICY_DENIED, "no resolved call to decide")), result);
    }

    /** A stage over a one-rule policy compiled by the real opa; closing it stops its engine. */
    private CloseableStage tinyPolicy(String rule) throws Exception {
        Path bundle = Opa.build(tmp, "package toolgate\n\n" + rule + "\n", OpaEngine.ENTRYPOINT);
        return new CloseableStage(OpaEngine.start(PolicyBundle.read(bundle), 1, true));
    }

    private static final class CloseableStage extends PolicyStage implements AutoCloseable {
        private final OpaEngine own;

        CloseableStage(OpaEngine own) {
            super(own);
            this.own = own;
        }

        @Override
        public void close() {
            own.close();
        }
    }
}
