package dev.toolgate.pipeline;

import java.util.Optional;

import org.jboss.logging.Logger;

import dev.toolgate.call.Denial;
import dev.toolgate.call.ToolCall;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;

/**
 * How a call's end is recorded and counted: the audit record first, then the count ({@code toolgate.calls}), so that a
 * record that fails makes the call the {@code gateway_error} it becomes, counted as that alone.
 */
final class Endings {

    private static final Logger LOG = Logger.getLogger(Endings.class);

    private final AuditLog audit;
    private final MeterRegistry meters;
    /** The tool latency timers, by tool, protocol and status. */
    private final java.util.Map<String, Timer> upstreamTimers = new java.util.concurrent.ConcurrentHashMap<>();

    Endings(AuditLog audit, MeterRegistry meters) {
        this.audit = audit;
        this.meters = meters;
    }

    /** A denial, recorded and counted; a failed {@code Uni} when it cannot be recorded. */
    <R> Uni<Outcome<R>> denied(ToolCall call, String policyRevision, Denial denial) {
        return audit.denied(call, policyRevision, denial)
                .invoke(() -> count(call, "denied", denial.reason().code()))
                .replaceWith(new Outcome.Refused<>(call, policyRevision, denial));
    }

    /** A dry run's proposal, recorded and counted. */
    <R> Uni<Outcome<R>> proposed(ToolCall call, String policyRevision, Optional<Denial> denial) {
        return audit.proposed(call, policyRevision, denial)
                .invoke(() -> count(call, "dry_run", denial.map(d -> d.reason().code()).orElse("")))
                .replaceWith(new Outcome.Proposed<>(call, policyRevision, denial));
    }

    /** An idempotent repeat answered with the kept reply, recorded and counted. */
    <R> Uni<Outcome<R>> replayed(ToolCall call, String policyRevision, R reply, String originalDecisionId) {
        return audit.replayed(call, policyRevision, originalDecisionId)
                .invoke(() -> count(call, "replayed", ""))
                .replaceWith(new Outcome.Replayed<>(call, policyRevision, reply, originalDecisionId));
    }

    /**
     * Once the tool has been called, the caller must learn what the tool did even when the outcome record fails: telling
     * it "refused" would invite a retry that repeats the side effect. The intent record is already durable.
     */
    <T> Uni<T> afterForward(Uni<Void> outcomeRecord, ToolCall call, T outcome) {
        return outcomeRecord.replaceWith(outcome).onFailure().recoverWithItem(fault -> {
            LOG.warnf("call %s: the outcome record could not be written: %s", call.id(), fault.toString());
            meters.counter("toolgate.audit.failures", "record", "outcome").increment();
            return outcome;
        });
    }

    void count(ToolCall call, String outcome, String reason) {
        // the tool and tenant labels only name tools and tenants the contract knows (a resolved action, an
        // identified principal), so a caller cannot grow the label set; agents and runs are never labels
        String tool = call.action().map(a -> a.tool().name()).orElse("");
        String tenant = call.principal().map(p -> p.tenant()).orElse("");
        Counter.builder("toolgate.calls")
                .description("Tool calls by protocol, tool, tenant, outcome (forwarded, denied, failed, dry_run, "
                        + "replayed, checked, degraded, error) and reason")
                .tags("protocol", call.protocol().code(), "tool", tool, "tenant", tenant, "outcome", outcome,
                        "reason", reason)
                .register(meters).increment();
    }

    /**
     * How long the tool took, from the request sent to the answer (or the failure): {@code toolgate.upstream.duration}
     * by tool, protocol and status (the tool's status, or the reason it could not answer).
     */
    void timeUpstream(ToolCall call, UpstreamResult<?> result, long nanos) {
        String status = switch (result) {
            case UpstreamResult.Replied<?> r -> r.status();
            case UpstreamResult.Handed<?> h -> "handed";
            case UpstreamResult.Failed<?> f -> f.denial().reason().code();
        };
        String tool = call.action().map(a -> a.tool().name()).orElse(call.tool());
        String label = status.length() > 32 ? "other" : status;
        // one timer per tool, protocol and status, found without building a meter id on every call
        upstreamTimers.computeIfAbsent(tool + '\u0000' + call.protocol().code() + '\u0000' + label,
                key -> Timer.builder("toolgate.upstream.duration")
                        .description("How long tools take to answer, by tool, protocol and status")
                        .tags("tool", tool, "protocol", call.protocol().code(), "status", label)
                        .publishPercentileHistogram()
                        .minimumExpectedValue(java.time.Duration.ofNanos(50_000))
                        .maximumExpectedValue(java.time.Duration.ofSeconds(60))
                        .register(meters))
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

}
