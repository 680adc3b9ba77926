package dev.toolgate.pipeline;

import java.util.Objects;
import java.util.OptionalLong;

import dev.toolgate.call.Denial;

/** What became of a forwarded call. */
public sealed interface UpstreamResult<R> {

    /**
     * The tool answered (whatever it answered).
     *
     * @param reply the protocol's reply
     * @param status a short summary for the audit record, e.g. the HTTP status {@code 201}
     * @param costUsdMicros the actual cost the tool reported (HTTP: {@code Toolgate-Cost-Usd-Micros}), if it did
     */
    record Replied<R>(R reply, String status, OptionalLong costUsdMicros) implements UpstreamResult<R> {
        public Replied {
            Objects.requireNonNull(reply, "reply");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(costUsdMicros, "costUsdMicros");
        }

        public Replied(R reply, String status) {
            this(reply, status, OptionalLong.empty());
        }
    }

    /**
     * The call was not forwarded but handed back to the caller to perform itself (the check API): its after-work
     * (settling its reservation) waits for the caller's report, or for the reservation's lease to run out.
     *
     * @param reply what to answer the caller now
     */
    record Handed<R>(R reply) implements UpstreamResult<R> {
        public Handed {
            Objects.requireNonNull(reply, "reply");
        }
    }

    /** Whether a failed call may have reached the tool. */
    enum Delivery {
        /** The request never left toolgate (no connection could be opened): the tool cannot have acted. */
        NOT_SENT,
        /** The request was sent, or may have been: the tool may have acted even though no answer came. */
        MAYBE_SENT
    }

    /**
     * The tool could not be reached or did not answer in time.
     *
     * @param delivery whether the tool may have acted: a call never sent is released, not charged
     */
    record Failed<R>(Denial denial, Delivery delivery) implements UpstreamResult<R> {
        public Failed {
            Objects.requireNonNull(denial, "denial");
            Objects.requireNonNull(delivery, "delivery");
        }

        /** A failure after the request may have been sent. */
        public Failed(Denial denial) {
            this(denial, Delivery.MAYBE_SENT);
        }
    }
}
