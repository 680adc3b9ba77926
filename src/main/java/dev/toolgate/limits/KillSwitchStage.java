package dev.toolgate.limits;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.Stage;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.Stages;
import io.smallrye.mutiny.Uni;

/**
 * The runtime kill switches, checked right after identity and before anything else, from this instance's
 * {@link KillSwitchBoard}: no store is asked, so an engaged switch keeps stopping calls while Redis is slow or down. A
 * call stopped here is 403 {@code kill_switch} with the reason the switch was engaged with. (The limits step checks
 * the store's switches again, atomically with its reservation, so a switch engaged a moment ago on another instance
 * stops the call there too when Redis can be reached.)
 * <p>
 * Pure computation on an in-memory snapshot, so it runs on the calling thread.
 */
@ApplicationScoped
public class KillSwitchStage implements Stage {

    private final KillSwitchBoard board;

    KillSwitchStage(KillSwitchBoard board) {
        this.board = board;
    }

    @Override
    public int position() {
        return Stages.KILL_SWITCHES;
    }

    @Override
    public String name() {
        return "kill_switches";
    }

    @Override
    public Uni<StageResult> apply(ToolCall call, CallContext ctx) {
        return Uni.createFrom().item(() -> stopped(call)
                .<StageResult> map(k -> StageResult.deny(Denial.of(Reason.KILL_SWITCH,
                        "a kill switch is engaged for " + k.field() + ": " + k.reason())))
                .orElseGet(() -> new StageResult.Continue(call)));
    }

    /** Hides the tools a runtime kill switch stops for their caller. */
    @Override
    public Uni<List<ToolCall>> shows(List<ToolCall> candidates, CallContext ctx) {
        return Uni.createFrom().item(() -> candidates.stream().filter(c -> stopped(c).isEmpty()).toList());
    }

    private Optional<LimitsStore.Killed> stopped(ToolCall call) {
        // the identity stage runs first; a call without a principal is a bug and is refused further on
        Optional<Principal> who = call.principal();
        return who.flatMap(principal -> board.stopping(principal, call.tool()));
    }
}
