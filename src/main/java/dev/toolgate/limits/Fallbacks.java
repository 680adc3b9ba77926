package dev.toolgate.limits;

import java.util.Map;
import java.util.Optional;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Degradation;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Fallback;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;

/**
 * Where a call goes when a {@code degrade} budget cannot admit it: the action's declared fallback. This class only
 * builds the fallback call; whether it may run is for the stages to decide, as for any call.
 */
final class Fallbacks {

    private Fallbacks() {
    }

    sealed interface Next {
        /** Answer a dry-run proposal instead of calling the tool. */
        record DryRun() implements Next {
        }

        /** Call this instead: a call of its own, which every stage after identity decides. */
        record Call(ToolCall fallback) implements Next {
        }

        /** The fallback cannot be called with these arguments. */
        record Refused(Denial denial) implements Next {
        }
    }

    /**
     * The fallback of the called action, or empty when there is none (then the call is denied as over budget). An
     * HTTP fallback is invoked with its own method and the path its template names for the arguments, with the query
     * and body of the agent's call; an MCP fallback is a {@code tools/call} of the fallback tool with the same
     * arguments.
     */
    static Optional<Next> degrade(ToolCall call, ResolvedAction resolved, Contract contract) {
        Optional<Fallback> fallback = resolved.action().fallback();
        if (fallback.isEmpty()) {
            return Optional.empty();
        }
        return switch (fallback.get()) {
            case Fallback.DryRun d -> Optional.of(new Next.DryRun());
            case Fallback.ToAction to -> {
                Optional<ToolSpec> tool = contract.tool(to.tool());
                Optional<ActionSpec> action = tool.flatMap(t -> t.action(to.action()));
                if (action.isEmpty()) {
                    // the loader refuses a fallback that names nothing; should one get here, it is not called
                    yield Optional.empty();
                }
                Degradation from = new Degradation(resolved.tool().name(), resolved.action().name(), to.action(),
                        resolved.args());
                Invocation asked = call.invocation();
                if (tool.get().kind() == ToolSpec.Kind.MCP) {
                    yield Optional.of(new Next.Call(call.degradedTo(to.tool(),
                            new Invocation(ActionSpec.MCP_METHOD, to.action(), Map.of(), asked.body()), from)));
                }
                Optional<String> path = action.get().path().expand(resolved.args());
                if (path.isEmpty()) {
                    yield Optional.of(new Next.Refused(Denial.of(Reason.INVALID_ARGUMENTS, "the path of fallback action "
                            + to.action() + " cannot be built from the arguments: each of its variables needs a "
                            + "non-empty string")));
                }
                yield Optional.of(new Next.Call(call.degradedTo(to.tool(),
                        new Invocation(action.get().method(), path.get(), asked.query(), asked.body()), from)));
            }
        };
    }
}
