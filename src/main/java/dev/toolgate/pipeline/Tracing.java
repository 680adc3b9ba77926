package dev.toolgate.pipeline;

import java.util.Optional;

import dev.toolgate.call.ToolCall;
import dev.toolgate.call.TraceContext;

/**
 * The traces of calls: one span per call, a child span per stage and one for the tool. The pipeline says when each
 * begins and ends and what it decided; the implementation (OpenTelemetry, in {@code telemetry}) names them and keeps
 * their attributes to what may be shown: never an argument value or a credential.
 * <p>
 * Spans never change a decision and never fail a call: an implementation that cannot trace traces nothing.
 */
public interface Tracing {

    /** Traces nothing; a call keeps the trace context the agent sent, so that the tool can still continue it. */
    Tracing NONE = call -> CallTrace.NONE;

    /**
     * Starts the span of a call, continuing the agent's trace ({@link ToolCall#trace()}) when it sent one.
     *
     * @param call the call as received
     */
    CallTrace start(ToolCall call);

    /** The span of one call. Methods are called in order by the call's own chain, never concurrently. */
    interface CallTrace {

        CallTrace NONE = new CallTrace() {
        };

        /**
         * The trace context of this call's span, which audit records name and the tool continues; empty when nothing
         * is traced (the call then keeps the agent's context).
         */
        default Optional<TraceContext> context() {
            return Optional.empty();
        }

        /**
         * A stage decided.
         *
         * @param stage the stage's name
         * @param startNanos when it began ({@link System#nanoTime()})
         * @param endNanos when it decided
         * @param result {@code continue}, {@code deny}, {@code suspend}, {@code replay}, {@code degrade} or
         *        {@code fault}
         */
        default void stage(String stage, long startNanos, long endNanos, String result) {
        }

        /**
         * The call is about to be sent to its tool.
         *
         * @return the span of the exchange with the tool
         */
        default UpstreamTrace upstream(ToolCall call) {
            return UpstreamTrace.NONE;
        }

        /** The call ended as {@code outcome}: its decision, reason, approval and cost become the span's attributes. */
        default void end(Outcome<?> outcome) {
        }
    }

    /** The span of one exchange with a tool. */
    interface UpstreamTrace {

        UpstreamTrace NONE = new UpstreamTrace() {
        };

        /** The context the tool is told to continue; empty when nothing is traced. */
        default Optional<TraceContext> context() {
            return Optional.empty();
        }

        /** The tool answered, or could not be reached. */
        default void end(UpstreamResult<?> result) {
        }
    }
}
