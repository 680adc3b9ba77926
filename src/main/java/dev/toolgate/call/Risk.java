package dev.toolgate.call;

import java.util.Locale;

/** A tool's or action's risk class, as the contract declares it. */
public enum Risk {
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
