package dev.toolgate.policy;

/**
 * A policy bundle that cannot be used: missing, not an {@code opa build -t wasm} bundle, or without the
 * {@code toolgate/decision} entrypoint. Thrown at start (which then stops) or at reload (which keeps the last good
 * bundle); the message names the bundle and what is wrong with it.
 */
public class PolicyBundleException extends RuntimeException {

    public PolicyBundleException(String message) {
        super(message);
    }

    public PolicyBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
