package dev.toolgate.pipeline;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.jboss.logging.Logger;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import io.smallrye.mutiny.Uni;

/** Handing an allowed call to its upstream, which may break its promises: neither breach may lose the tool's answer. */
final class Sending {

    private static final Logger LOG = Logger.getLogger(Sending.class);

    private Sending() {
    }

    /**
     * Hands the call to its upstream, with what it was decided under. An upstream that breaks its promise and fails
     * instead of answering a failure had the call in hand: the tool may have acted, so this is a failure after
     * sending, settled like one.
     */
    static <R> Uni<UpstreamResult<R>> sent(ToolCall call, CallContext ctx, Upstream<R> upstream,
            Function<List<ToolCall>, Uni<List<ToolCall>>> visible) {
        Upstream.Context context = new Upstream.Context() {
            @Override
            public String policyRevision() {
                return ctx.policyRevision();
            }

            @Override
            public Uni<List<ToolCall>> visible(List<ToolCall> candidates) {
                return visible.apply(candidates);
            }
        };
        return Uni.createFrom().deferred(() -> upstream.send(call, context)).onFailure().recoverWithItem(fault -> {
            LOG.warnf("call %s: the upstream failed instead of answering: %s", call.id(), fault.toString());
            LOG.debug("upstream fault", fault);
            return new UpstreamResult.Failed<>(Denial.of(Reason.GATEWAY_ERROR,
                    "the gateway lost the tool's answer; the tool may have acted"), UpstreamResult.Delivery.MAYBE_SENT);
        });
    }

    /** The reply as the upstream keeps it for idempotent repeats; one it cannot encode is not kept. */
    static <R> Optional<StoredReply> kept(ToolCall call, Upstream<R> upstream, R reply) {
        try {
            return upstream.encode(reply);
        } catch (RuntimeException e) {
            LOG.warnf("call %s: the reply could not be kept: %s", call.id(), e.toString());
            return Optional.empty();
        }
    }
}
