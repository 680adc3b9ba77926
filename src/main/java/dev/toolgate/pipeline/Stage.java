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
}
