package dev.toolgate.pipeline;

import dev.toolgate.call.ToolCall;
import io.smallrye.mutiny.Uni;

/**
 * One step of the pipeline. See the package documentation for the promises every stage keeps.
 */
public interface Stage {

    /** Where the stage runs; lower runs first. The pipeline's order is {@link Stages}. */
    int position();

    /** A short name for logs, metrics and faults, e.g. {@code policy}. */
    String name();

    /**
     * Decides one call.
     *
     * @return a result; a failed {@code Uni} is a fault (this stage could not decide), which the pipeline turns into a
     *         {@code gateway_error} denial: every stage so far fails closed
     */
    Uni<StageResult> apply(ToolCall call, CallContext ctx);

    /**
     * Which of the listing candidates this stage would let their caller see (mode {@link dev.toolgate.call.Mode#LIST}):
     * each candidate is the call of one action, identified but with no arguments. A stage hides what it would refuse
     * whatever the arguments (a missing grant, a kill switch, a policy that denies the action), and never consumes
     * anything. The default shows everything, for stages whose answer depends on the arguments or on usage.
     *
     * @return the candidates still shown, in order, possibly resolved further; a failed {@code Uni} hides them all
     */
    default Uni<java.util.List<ToolCall>> shows(java.util.List<ToolCall> candidates, CallContext ctx) {
        return Uni.createFrom().item(candidates);
    }
}
