package dev.toolgate.pipeline;

import java.util.Objects;
import java.util.Optional;

import dev.toolgate.call.Denial;
import dev.toolgate.call.ToolCall;

/**
 * How a call ended; the ingress adapter turns it into the protocol's answer.
 *
 * @param <R> the protocol's reply type
 */
public sealed interface Outcome<R> {

    /** The call as far as the pipeline resolved it. */
    ToolCall call();

    /** The revision of the policy bundle the call was decided under. */
    String policyRevision();

    /** The call was forwarded and the tool answered. */
    record Answered<R>(ToolCall call, String policyRevision, R reply) implements Outcome<R> {
        public Answered {
            Objects.requireNonNull(reply, "reply");
        }
    }

    /**
     * An idempotent repeat, answered with the reply of the original call; nothing was forwarded.
     *
     * @param originalDecisionId the decision id of the original call
     */
    record Replayed<R>(ToolCall call, String policyRevision, R reply, String originalDecisionId) implements Outcome<R> {
        public Replayed {
            Objects.requireNonNull(reply, "reply");
        }
    }

    /** The call was denied, or the tool could not be reached. */
    record Refused<R>(ToolCall call, String policyRevision, Denial denial) implements Outcome<R> {
        public Refused {
            Objects.requireNonNull(denial, "denial");
        }
    }

    /**
     * A dry run: what enforcing would have done, without forwarding or consuming anything.
     *
     * @param denial the denial enforcing would have answered, or empty when the call would have been forwarded
     */
    record Proposed<R>(ToolCall call, String policyRevision, Optional<Denial> denial) implements Outcome<R> {
    }
}
