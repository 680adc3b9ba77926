package dev.toolgate.call;

import java.util.Objects;

/** Where a call goes when a {@code degrade} budget cannot admit it. */
public sealed interface Fallback {

    /** Call another action (of this or another tool) with the same arguments, e.g. a cheaper model or a preview. */
    record ToAction(String tool, String action) implements Fallback {
        public ToAction {
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(action, "action");
        }
    }

    /** Answer a dry-run proposal instead of calling the tool. */
    record DryRun() implements Fallback {
    }
}
