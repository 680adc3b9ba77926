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
    private volatile java.time.Instant contractLoadedAt = java.time.Instant.EPOCH;
    private volatile java.time.Instant policyLoadedAt = java.time.Instant.EPOCH;

    public void publish(Contract c) {
        contract.set(c);
        contractLoadedAt = java.time.Instant.now();
    }

    public void publishPolicyRevision(String revision) {
        policyRevision.set(revision);
        policyLoadedAt = java.time.Instant.now();
    }

    /** When the contract in force was loaded. */
    public java.time.Instant contractLoadedAt() {
        return contractLoadedAt;
    }

    /** When the policy bundle in force was loaded. */
    public java.time.Instant policyLoadedAt() {
        return policyLoadedAt;
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

    /** The tenants of the active contract's agents; empty before a contract is loaded. */
    public java.util.SortedSet<String> tenants() {
        Contract c = contract.get();
        java.util.SortedSet<String> tenants = new java.util.TreeSet<>();
        if (c != null) {
            c.agents().values().forEach(agent -> tenants.add(agent.tenant()));
        }
        return tenants;
    }

    public String policyRevision() {
        String r = policyRevision.get();
        return r == null ? "" : r;
    }
}
