package dev.toolgate.pipeline;

import java.util.Objects;

import dev.toolgate.call.Contract;

/**
 * What every stage of one call sees the same: the contract and policy revision that were active when the call
 * arrived. A reload during the call does not change them.
 *
 * @param contract the active contract
 * @param policyRevision the revision of the active policy bundle
 */
public record CallContext(Contract contract, String policyRevision) {

    public CallContext {
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(policyRevision, "policyRevision");
    }
}
