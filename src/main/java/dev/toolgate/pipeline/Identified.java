package dev.toolgate.pipeline;

import java.util.Objects;

import dev.toolgate.call.Principal;
import dev.toolgate.call.Secret;

/**
 * A caller the identity stage identified ({@link Pipeline#admit}), so that the calls of one request (the message of
 * an MCP POST, its server's stream) run the stages after identity without identifying it again. Only the pipeline
 * makes one, so an ingress cannot name a principal of its own; it holds to the credential it was made from.
 */
public final class Identified {

    private final Principal principal;
    private final Secret credential;

    Identified(Principal principal, Secret credential) {
        this.principal = Objects.requireNonNull(principal, "principal");
        this.credential = Objects.requireNonNull(credential, "credential");
    }

    public Principal principal() {
        return principal;
    }

    /** Whether this identity came from the credential a call presents. */
    boolean presentedBy(Secret presented) {
        return credential.equals(presented);
    }

    @Override
    public String toString() {
        return "Identified[" + principal.agent() + "@" + principal.tenant() + "]";
    }
}
