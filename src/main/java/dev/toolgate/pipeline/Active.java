package dev.toolgate.pipeline;

import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.Contract;

/**
 * The contract and policy revision in force. The contract stage's loader and the policy engine publish here at
 * start; the pipeline snapshots both into each call's {@link CallContext}.
 */
@ApplicationScoped
public class Active {

    private final AtomicReference<Contract> contract = new AtomicReference<>();
    private final AtomicReference<String> policyRevision = new AtomicReference<>();

    public void publish(Contract c) {
        contract.set(c);
    }

    public void publishPolicyRevision(String revision) {
        policyRevision.set(revision);
    }

    /** The context for a call arriving now. */
    public CallContext snapshot() {
        Contract c = contract.get();
        String r = policyRevision.get();
        if (c == null || r == null) {
            throw new IllegalStateException("contract or policy bundle not loaded");
        }
        return new CallContext(c, r);
    }

    public String policyRevision() {
        String r = policyRevision.get();
        return r == null ? "" : r;
    }
}
