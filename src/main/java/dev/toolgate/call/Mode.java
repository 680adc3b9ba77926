package dev.toolgate.call;

/** How a call is handled. */
public enum Mode {
    /** Decide, then forward when allowed. */
    ENFORCE,
    /** Evaluate every stage, forward and consume nothing, answer the proposal. */
    DRY_RUN,
    /**
     * A listing query, never forwarded: may the caller see this action at all (e.g. an MCP {@code tools/list})? The
     * action is resolved without arguments and only the stages' {@code shows} step runs.
     */
    LIST;

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
