package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.toolgate.call.AgentSpec;
import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.StageResult;

/** Calls against the contract of src/test/resources/contract/stage.yaml, through a real {@link ContractStage}. */
final class Calls {

    static final String STAGE_CONTRACT = Contracts.text("stage.yaml");
    static final Contract CONTRACT = Contracts.parse(STAGE_CONTRACT);

    private Calls() {
    }

    /** The stage contract with more YAML appended, e.g. a {@code kill_switches} section. */
    static Contract contractWith(String yaml) {
        return Contracts.parse(STAGE_CONTRACT + yaml);
    }

    /** A call by an agent of the contract, as the identity stage would have identified it. */
    static ToolCall call(String agent, String tool, String method, String path) {
        return call(agent, tool, method, path, Map.of(), "");
    }

    static ToolCall call(String agent, String tool, String method, String path, Map<String, List<String>> query,
            String body) {
        AgentSpec spec = CONTRACT.agents().get(agent);
        Principal principal = new Principal(agent, spec.tenant(), spec.workflow(), spec.roles(), AuthMethod.API_KEY);
        return unidentified(tool, method, path, query, body).withPrincipal(principal);
    }

    static ToolCall unidentified(String tool, String method, String path, Map<String, List<String>> query,
            String body) {
        Invocation invocation = new Invocation(method, path, query, body.getBytes(StandardCharsets.UTF_8));
        return ToolCall.received("call-1", Protocol.HTTP, tool, invocation, Secret.NONE, "run-1", Mode.ENFORCE,
                Instant.parse("2026-05-02T18:30:12Z"));
    }

    static StageResult run(ToolCall call) {
        return run(CONTRACT, call);
    }

    static StageResult run(Contract contract, ToolCall call) {
        return new ContractStage().apply(call, new CallContext(contract, "policy-test")).await().indefinitely();
    }

    static Denial denial(StageResult result) {
        return assertInstanceOf(StageResult.Deny.class, result).denial();
    }

    static ResolvedAction resolved(StageResult result) {
        return assertInstanceOf(StageResult.Continue.class, result).call().action().orElseThrow();
    }
}
