package dev.toolgate.limits;

import dev.toolgate.store.StoreUnavailableException;

/**
 * The limits store could not be reached in time or answered wrongly. The caller applies the tool's failure mode
 * ({@code limits_unavailable} when closed).
 */
public class LimitsUnavailableException extends StoreUnavailableException {

    private static final long serialVersionUID = 1L;

    public LimitsUnavailableException(String message) {
        super(message);
    }

    public LimitsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
