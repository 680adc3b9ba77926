package dev.toolgate.pipeline;

import java.util.Objects;

import dev.toolgate.call.Contract;

/**
 * What every stage of one call sees the same: the contract and policy revision that were active when the call
 * arrived, and where the tools' own schemas are learned. A reload during the call does not change them.
 *
 * @param contract the active contract
 * @param policyRevision the revision of the active policy bundle
 * @param schemas where the contract stage learns the schema a tool declares for itself
 * @param trace the call's span
 */
public record CallContext(Contract contract, String policyRevision, ToolSchemas schemas, Tracing.CallTrace trace) {

    public CallContext {
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(policyRevision, "policyRevision");
        Objects.requireNonNull(schemas, "schemas");
        Objects.requireNonNull(trace, "trace");
    }

    /** A context in which no tool declares a schema of its own. */
    public CallContext(Contract contract, String policyRevision) {
        this(contract, policyRevision, ToolSchemas.UNDECLARED, Tracing.CallTrace.NONE);
    }

    /** A context of a call that is not traced. */
    public CallContext(Contract contract, String policyRevision, ToolSchemas schemas) {
        this(contract, policyRevision, schemas, Tracing.CallTrace.NONE);
    }

    /** The same context with the tools' schemas learned from {@code s}. */
    public CallContext withSchemas(ToolSchemas s) {
        return new CallContext(contract, policyRevision, s, trace);
    }

    /** The same context for a call traced by {@code t}. */
    public CallContext withTrace(Tracing.CallTrace t) {
        return new CallContext(contract, policyRevision, schemas, t);
    }
}
