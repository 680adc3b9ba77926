package dev.toolgate.pipeline;

import java.util.List;

import dev.toolgate.call.ToolCall;
import io.smallrye.mutiny.Uni;

/**
 * Opens an approval request for a call that a stage other than the approval stage wants a human to sign off (an
 * {@code escalate} budget that is spent). The approval stage's flow does the rest: the approver signs off, the agent
 * repeats the call with {@code Toolgate-Approval}, and the call goes ahead as {@code ToolCall.ApprovalUse.REDEEMED}.
 */
public interface Escalations {

    /**
     * How an escalation's reasons begin. An approval whose reasons have it was shown the spent budget, so redeeming it
     * may spend beyond that budget ({@code ToolCall.ApprovalUse.REDEEMED_OVER_BUDGET}); any other approval may not.
     */
    String REASON_PREFIX = "budget escalation: ";

    /**
     * Opens a request bound to the call's payload, or finds the one this call waits on already.
     *
     * @param reasons why a human must decide, shown to the approver
     * @return the request the call waits on, or why none was opened (the agent has too many waiting)
     */
    Uni<Asked> open(ToolCall call, List<String> reasons);

    /** What asking for a sign-off came to. */
    sealed interface Asked {
        /** The call waits on this request (opened now, or earlier for the same call). */
        record Waiting(String approvalId, java.time.Instant expiresAt) implements Asked {
        }

        /** No request was opened: the call is refused with this. */
        record Refused(dev.toolgate.call.Denial denial) implements Asked {
        }
    }
}
