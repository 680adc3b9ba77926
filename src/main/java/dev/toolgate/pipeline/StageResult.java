package dev.toolgate.pipeline;

import java.util.Objects;

import dev.toolgate.call.Denial;
import dev.toolgate.call.ToolCall;

/**
 * What a stage decided. A denial is a decision, not a fault: a stage that cannot decide fails its {@code Uni} instead,
 * and the pipeline applies the stage's failure mode.
 */
public sealed interface StageResult {

    /** Go on to the next stage with this (possibly enriched) call. */
    record Continue(ToolCall call) implements StageResult {
        public Continue {
            Objects.requireNonNull(call, "call");
        }
    }

    /** Stop here; the call is denied. */
    record Deny(Denial denial) implements StageResult {
        public Deny {
            Objects.requireNonNull(denial, "denial");
        }
    }

    /** Stop here until something outside the call happens (e.g. a human sign-off); the caller is told why. */
    record Suspend(Denial denial) implements StageResult {
        public Suspend {
            Objects.requireNonNull(denial, "denial");
        }
    }

    static StageResult next(ToolCall call) {
        return new Continue(call);
    }

    static StageResult deny(Denial denial) {
        return new Deny(denial);
    }
}
