package dev.toolgate.approval;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.ApprovalTier;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.Stage;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.Stages;
import io.smallrye.mutiny.Uni;

/**
 * Holds back every call that needs a human sign-off: the policy asked for {@code required} or {@code dual}, or the
 * tool is irreversible. Approval requests, sign-off and redemption are not built yet, so such a call is refused with
 * {@code approval_required} and the tier it needs; it is never forwarded.
 */
@ApplicationScoped
public class ApprovalStage implements Stage {

    @Override
    public int position() {
        return Stages.APPROVAL;
    }

    @Override
    public String name() {
        return "approval";
    }

    @Override
    public Uni<StageResult> apply(ToolCall call, CallContext ctx) {
        ApprovalTier tier = call.approvalNeeded().orElse(ApprovalTier.REQUIRED);
        if (tier == ApprovalTier.NONE) {
            return Uni.createFrom().item(StageResult.next(call));
        }
        String detail = tier == ApprovalTier.DUAL
                ? "this call needs the sign-off of two approvers"
                : "this call needs a human sign-off";
        return Uni.createFrom().item(new StageResult.Suspend(
                Denial.of(Reason.APPROVAL_REQUIRED, detail).with("approval_tier", tier.code())));
    }
}
