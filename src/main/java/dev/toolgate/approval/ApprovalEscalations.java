package dev.toolgate.approval;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.ApprovalTier;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.Escalations;
import io.smallrye.mutiny.Uni;

/** Escalations through the approval flow: a request like any other, needing one approver. */
@ApplicationScoped
public class ApprovalEscalations implements Escalations {

    private final ApprovalStage stage;

    ApprovalEscalations(ApprovalStage stage) {
        this.stage = stage;
    }

    @Override
    public Uni<Asked> open(ToolCall call, List<String> reasons) {
        return stage.ask(call, ApprovalTier.REQUIRED, reasons, ApprovalStage.ESCALATION);
    }
}
