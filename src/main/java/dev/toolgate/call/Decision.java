package dev.toolgate.call;

import java.util.List;
import java.util.Objects;

/**
 * A policy decision, as the bundle's {@code toolgate/decision} entrypoint returned it.
 *
 * @param allow whether the policy allows the call
 * @param reasons the policy's reasons, in its order
 * @param approval the approval tier the policy asks for
 * @param redact JSON pointers (or top-level field names) of arguments that audit records and traces must not keep
 * @param revision the revision of the bundle that decided
 */
public record Decision(boolean allow, List<String> reasons, ApprovalTier approval, List<String> redact, String revision) {

    public Decision {
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(approval, "approval");
        redact = List.copyOf(redact);
        Objects.requireNonNull(revision, "revision");
    }
}
