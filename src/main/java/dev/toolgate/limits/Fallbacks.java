package dev.toolgate.limits;

import java.util.Optional;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Fallback;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;

/** Where a call goes when a {@code degrade} budget cannot admit it: the action's declared fallback. */
final class Fallbacks {

    private Fallbacks() {
    }

    sealed interface Next {
        /** Answer a dry-run proposal instead of calling the tool. */
        record DryRun() implements Next {
        }

        /** Call this action instead, after its own limits admit it. */
        record Action(ResolvedAction resolved) implements Next {
        }
    }

    /**
     * The fallback of the called action, or empty when there is none or the arguments do not fit it (then the call is
     * denied as over budget).
     */
    static Optional<Next> degrade(ToolCall call, ResolvedAction resolved, Contract contract, Denial exceeded) {
        Optional<Fallback> fallback = resolved.action().fallback();
        if (fallback.isEmpty()) {
            return Optional.empty();
        }
        return switch (fallback.get()) {
            case Fallback.DryRun d -> Optional.of(new Next.DryRun());
            case Fallback.ToAction to -> {
                Optional<ToolSpec> tool = contract.tool(to.tool());
                Optional<ActionSpec> action = tool.flatMap(t -> t.action(to.action()));
                if (action.isEmpty() || !action.get().schema().validate(resolved.args()).isEmpty()) {
                    yield Optional.empty();
                }
                yield Optional.of(new Next.Action(
                        resolved.degradedTo(tool.get(), action.get(), call.principal().orElseThrow().tenant())));
            }
        };
    }
}
