package dev.toolgate.call;

/** How a call is handled. */
public enum Mode {
    /** Decide, then forward when allowed. */
    ENFORCE,
    /** Evaluate every stage, forward and consume nothing, answer the proposal. */
    DRY_RUN;

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
