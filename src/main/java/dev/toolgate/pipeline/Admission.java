package dev.toolgate.pipeline;

import java.util.Objects;

import dev.toolgate.call.Denial;

/** Whether a request's caller was identified ({@link Pipeline#admit}). */
public sealed interface Admission {

    /** The caller, for the calls of the request. */
    record Admitted(Identified who) implements Admission {
        public Admitted {
            Objects.requireNonNull(who, "who");
        }
    }

    /** Nobody the identity stage knows. */
    record Refused(Denial denial) implements Admission {
        public Refused {
            Objects.requireNonNull(denial, "denial");
        }
    }
}
