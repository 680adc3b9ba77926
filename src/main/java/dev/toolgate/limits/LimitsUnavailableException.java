package dev.toolgate.limits;

/**
 * The limits store could not be reached in time or answered wrongly. The caller applies the tool's failure mode
 * ({@code limits_unavailable} when closed).
 */
public class LimitsUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LimitsUnavailableException(String message) {
        super(message);
    }

    public LimitsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
