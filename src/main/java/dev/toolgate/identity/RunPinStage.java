package dev.toolgate.identity;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.Stage;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.Stages;
import io.smallrye.mutiny.Uni;

/**
 * Holds an agent to the run its credential pins it to (a JWT's run claim, {@code toolgate.identity.jwt.run-claim}): a
 * call that names no run belongs to that run; a call that names another one ({@code Toolgate-Run-Id}, MCP
 * {@code _meta}) is refused {@code unauthenticated}, so that an agent cannot spread its spending over runs of its own
 * invention. A principal without a pinned run is left as it is. It runs right after identity, on every call of an
 * identified caller too (an MCP session's messages, a fallback).
 */
@ApplicationScoped
public class RunPinStage implements Stage {

    @Override
    public int position() {
        return Stages.RUN_PIN;
    }

    @Override
    public String name() {
        return "run_pin";
    }

    @Override
    public Uni<StageResult> apply(ToolCall call, CallContext ctx) {
        return Uni.createFrom().item(() -> pinned(call));
    }

    private static StageResult pinned(ToolCall call) {
        Optional<String> pin = call.principal().flatMap(p -> p.run());
        if (pin.isEmpty() || call.runId().equals(pin.get())) {
            return StageResult.next(call);
        }
        if (call.runId().isEmpty()) {
            return StageResult.next(call.withRunId(pin.get()));
        }
        return StageResult.deny(Denial.of(Reason.UNAUTHENTICATED,
                "the run id the call names is not the run its token is for"));
    }
}
