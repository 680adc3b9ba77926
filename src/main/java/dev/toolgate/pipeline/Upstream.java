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
}
