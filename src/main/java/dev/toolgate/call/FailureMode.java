package dev.toolgate.call;

import java.util.Locale;

/** What a stage does when the state it needs (Redis) cannot be reached. */
public enum FailureMode {
    /** Deny the call ({@code limits_unavailable}). */
    CLOSED,
    /** Let it through on a local fallback; counted in a metric and audited. */
    OPEN;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
