package dev.toolgate.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.testing.TestClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * A pipeline built from a test's own stages, with an in-memory audit log, a simple meter registry, a published
 * contract and policy revision, and pending reports on a clock the test moves.
 */
final class PipelineHarness {

    static final String POLICY_REVISION = "policy-rev-7";
    static final Principal BOT = new Principal("bot", "acme", "", List.of("ops"), AuthMethod.API_KEY);
    static final Duration LEASE = Duration.ofMinutes(5);
    static final int MAX_PENDING_CHECKS = 3;
    static final Duration WAIT = Duration.ofSeconds(10);

    final RecordingAuditLog audit = new RecordingAuditLog();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final Active active = new Active();
    final TestClock clock = new TestClock(Instant.parse("2026-05-02T18:30:00Z"));
    final PendingReports pending = new PendingReports(LEASE, MAX_PENDING_CHECKS, clock);

    PipelineHarness() {
        // no agent or tool: the pipeline itself never reads the contract, it only hands it to the stages
        active.publish(new Contract(Map.of(), Map.of(), Map.of(), List.of(), JsonNodeFactory.instance.objectNode(),
                "sha256:pipeline-test"));
        active.publishPolicyRevision(POLICY_REVISION);
    }

    Pipeline pipeline(Stage... stages) {
        return new Pipeline(List.of(stages), audit, active, meters, pending);
    }

    /** A call as an ingress adapter hands it over: nobody identified yet. */
    static ToolCall received(String id, Mode mode) {
        return ToolCall.received(id, Protocol.HTTP, "payments",
                new Invocation("POST", "/refunds", Map.of(), "{\"amount\":5}".getBytes()), new Secret("tg_key"),
                "run-1", mode, Instant.parse("2026-05-02T18:30:12Z"));
    }

    static ToolCall received(String id) {
        return received(id, Mode.ENFORCE);
    }

    /** A call as the identity stage leaves it. */
    static ToolCall identified(String id) {
        return received(id).withPrincipal(BOT);
    }

    /** The stage at identity's position, identifying every caller as {@link #BOT}. */
    static ScriptedStage identify() {
        return ScriptedStage.enriching("identify", Stages.IDENTIFY, call -> call.withPrincipal(BOT));
    }

    static <T> T await(Uni<T> uni) {
        return uni.await().atMost(WAIT);
    }

    /** How many calls {@code toolgate.calls} counted with this outcome and reason. */
    double counted(String outcome, String reason) {
        Counter counter = meters.find("toolgate.calls").tags("outcome", outcome, "reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /** How many calls {@code toolgate.calls} counted in all. */
    double countedInAll() {
        return meters.find("toolgate.calls").counters().stream().mapToDouble(Counter::count).sum();
    }

    double afterCallFailures() {
        Counter counter = meters.find("toolgate.after_call.failures").counter();
        return counter == null ? 0 : counter.count();
    }
}
