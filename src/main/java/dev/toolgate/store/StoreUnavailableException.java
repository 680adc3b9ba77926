package dev.toolgate.store;

/**
 * A store could not be reached in time or answered wrongly: a fault, never a decision. The stage that called applies
 * its failure mode.
 */
public class StoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
