package dev.toolgate.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.toolgate.call.Principal;
import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;

/**
 * Checked calls waiting for their report: the call and the stages' after-work, by decision id. An entry lives as long
 * as a reservation's lease; after that the store has released the reservation and a report finds nothing.
 */
@ApplicationScoped
class PendingReports {

    record Pending(ToolCall call, String policyRevision, List<AfterCall> afters, Instant expires) {
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Duration lease;
    private final Clock clock;
    private volatile Instant lastSweep = Instant.EPOCH;

    @Inject
    PendingReports(ToolgateConfig config) {
        this(config.limits().lease(), Clock.systemUTC());
    }

    PendingReports(Duration lease, Clock clock) {
        this.lease = lease;
        this.clock = clock;
    }

    void hold(ToolCall call, String policyRevision, List<AfterCall> afters) {
        Instant now = clock.instant();
        pending.put(call.id(), new Pending(call, policyRevision, List.copyOf(afters), now.plus(lease)));
        if (now.isAfter(lastSweep.plusSeconds(10))) {
            lastSweep = now;
            pending.values().removeIf(p -> p.expires().isBefore(now));
        }
    }

    /** Takes the checked call of this decision id if the same agent of the same tenant checked it and it is live. */
    Optional<Pending> take(String decisionId, Principal reporter) {
        Pending found = pending.get(decisionId);
        if (found == null || found.expires().isBefore(clock.instant())) {
            return Optional.empty();
        }
        Principal checker = found.call().principal().orElseThrow();
        if (!checker.agent().equals(reporter.agent()) || !checker.tenant().equals(reporter.tenant())) {
            return Optional.empty();
        }
        return pending.remove(decisionId, found) ? Optional.of(found) : Optional.empty();
    }
}
