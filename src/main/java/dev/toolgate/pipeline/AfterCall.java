package dev.toolgate.pipeline;

import java.util.OptionalLong;

import dev.toolgate.call.ToolCall;
import io.smallrye.mutiny.Uni;

/**
 * What a stage has to finish once the call is over, e.g. settling or releasing a spend reservation. The pipeline
 * calls exactly one of the two methods, exactly once, for every stage that continued with one. Neither may fail the
 * call: a failure is logged and counted, and the stage's own safety net (a reservation's lease) takes over.
 */
public interface AfterCall {

    /**
     * The call was forwarded (the tool may have acted, even when it then failed or timed out).
     *
     * @param reportedCostUsdMicros the actual cost the tool reported, when it did
     * @param reply the tool's reply as the ingress encoded it for keeping; empty when the tool gave none (a failure)
     *        or it cannot be kept
     */
    Uni<Void> forwarded(ToolCall call, OptionalLong reportedCostUsdMicros, java.util.Optional<StoredReply> reply);

    /** The call was never forwarded: a later stage denied it, it was a dry run, or recording its intent failed. */
    Uni<Void> abandoned(ToolCall call);

    /**
     * The call was decided and handed to its caller to perform (a check): {@code reply} is what the caller was
     * answered, as the ingress encoded it for keeping. This is not the end: {@link #forwarded} or nothing (the lease)
     * follows when the caller reports. The default does nothing now; the idempotency stage keeps the answer, so that
     * a repeated check is answered with the same decision.
     */
    default Uni<Void> handed(ToolCall call, java.util.Optional<StoredReply> reply) {
        return Uni.createFrom().voidItem();
    }
}
