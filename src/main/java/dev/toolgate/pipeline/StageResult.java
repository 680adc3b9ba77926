package dev.toolgate.pipeline;

import java.util.Objects;
import java.util.Optional;

import dev.toolgate.call.Denial;
import dev.toolgate.call.ToolCall;

/**
 * What a stage decided. A denial is a decision, not a fault: a stage that cannot decide fails its {@code Uni} instead,
 * and the pipeline applies the stage's failure mode.
 */
public sealed interface StageResult {

    /**
     * What the stage decided, as a trace names it: {@code continue}, {@code deny}, {@code replay}, {@code degrade} or
     * {@code suspend}.
     */
    default String kind() {
        return switch (this) {
            case Continue c -> "continue";
            case Deny d -> "deny";
            case Replay r -> "replay";
            case Degrade d -> "degrade";
            case Suspend s -> "suspend";
        };
    }

    /**
     * Go on to the next stage with this (possibly enriched) call.
     *
     * @param after what the stage must finish once the call is over (e.g. settle a reservation), if anything
     */
    record Continue(ToolCall call, Optional<AfterCall> after) implements StageResult {
        public Continue {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(after, "after");
        }

        public Continue(ToolCall call) {
            this(call, Optional.empty());
        }
    }

    /**
     * Stop here; the call is denied.
     *
     * @param resolved the call as far as the stage resolved it (e.g. with the policy decision that denied it), so that
     *        the audit record and a dry run's proposal show it; empty when the stage learnt nothing
     */
    record Deny(Denial denial, Optional<ToolCall> resolved) implements StageResult {
        public Deny {
            Objects.requireNonNull(denial, "denial");
            Objects.requireNonNull(resolved, "resolved");
        }

        public Deny(Denial denial) {
            this(denial, Optional.empty());
        }
    }

    /**
     * Answer the call with a reply kept from an earlier, identical call (an idempotent repeat): nothing is forwarded.
     *
     * @param originalDecisionId the decision id of the call whose reply this is
     */
    record Replay(ToolCall call, StoredReply reply, String originalDecisionId) implements StageResult {
        public Replay {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(reply, "reply");
            Objects.requireNonNull(originalDecisionId, "originalDecisionId");
        }
    }

    /**
     * Replace the call with its fallback (an over-budget {@code degrade}): what the stages so far took is given back,
     * and the fallback runs every stage after identity as a call of its own. A fallback is never degraded again.
     *
     * @param fallback the fallback call ({@link ToolCall#degradedTo}), identified, nothing else resolved
     */
    record Degrade(ToolCall fallback) implements StageResult {
        public Degrade {
            Objects.requireNonNull(fallback, "fallback");
            if (fallback.degradation().isEmpty()) {
                throw new IllegalArgumentException("a fallback call names the call it replaces");
            }
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
