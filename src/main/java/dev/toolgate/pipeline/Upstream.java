package dev.toolgate.pipeline;

import dev.toolgate.call.ToolCall;
import io.smallrye.mutiny.Uni;

/**
 * Sends an allowed call to its tool. The ingress adapter supplies one per call, since only it holds what the
 * protocol needs to forward (headers, the raw body); the pipeline decides whether and when it is called.
 *
 * @param <R> the protocol's reply type
 */
@FunctionalInterface
public interface Upstream<R> {

    /**
     * Forwards the call.
     *
     * @return the reply, or a denial such as {@code upstream_timeout}; never a failed {@code Uni} for an upstream's
     *         fault
     */
    Uni<UpstreamResult<R>> send(ToolCall call);

    /**
     * Forwards the call, for an upstream that needs to know what the call was decided under: the policy revision (to
     * answer it in a streamed answer's head) or which actions the caller may see (to filter an answer that lists
     * them, such as an MCP {@code tools/list}).
     */
    default Uni<UpstreamResult<R>> send(ToolCall call, Context context) {
        return send(call);
    }

    /** What a call was decided under: one contract and policy snapshot, the one its stages saw. */
    interface Context {

        /** The revision of the policy bundle the call was decided by. */
        String policyRevision();

        /** Which of the candidates the caller may see ({@link Pipeline#visible}) under the call's snapshot. */
        Uni<java.util.List<ToolCall>> visible(java.util.List<ToolCall> candidates);
    }

    /**
     * Encodes a reply so that an idempotent repeat can be answered with it; empty when this protocol or this reply
     * cannot be kept (e.g. larger than the gateway keeps).
     */
    default java.util.Optional<StoredReply> encode(R reply) {
        return java.util.Optional.empty();
    }

    /** Decodes a kept reply of this protocol; empty when it is not one. */
    default java.util.Optional<R> decode(StoredReply stored) {
        return java.util.Optional.empty();
    }
}
