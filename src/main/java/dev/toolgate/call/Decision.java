package dev.toolgate.call;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A policy decision, as the bundle's {@code toolgate/decision} entrypoint returned it.
 *
 * @param allow whether the policy allows the call
 * @param reasons the policy's reasons, in its order
 * @param approval the approval tier the policy asks for
 * @param redact JSON pointers (or top-level field names) of arguments that audit records and traces must not keep
 * @param revision the revision of the bundle that decided
 * @param input the input document the bundle decided on, unredacted (the audit log keeps it with every {@code redact}
 *        path replaced by a keyed hash, so that the decision can be replayed); empty when not kept
 */
public record Decision(boolean allow, List<String> reasons, ApprovalTier approval, List<String> redact, String revision,
        Optional<ObjectNode> input) {

    public Decision {
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(approval, "approval");
        redact = List.copyOf(redact);
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(input, "input");
    }

    /** A decision without its input. */
    public Decision(boolean allow, List<String> reasons, ApprovalTier approval, List<String> redact, String revision) {
        this(allow, reasons, approval, redact, revision, Optional.empty());
    }

    /** The same decision, made on {@code document}. */
    public Decision withInput(ObjectNode document) {
        return new Decision(allow, reasons, approval, redact, revision, Optional.of(document));
    }
}
