package dev.toolgate.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.toolgate.call.Principal;
import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;

/**
 * Checked calls waiting for their report: the call and the stages' after-work, by decision id. An entry lives as long
 * as a reservation's lease; after that the store has released the reservation and a report finds nothing. One agent
 * holds at most {@code toolgate.limits.max-pending-checks} entries: a check past them is refused before it is held
 * ({@link #admit}), so an agent that never reports cannot make the gateway hold more.
 */
@ApplicationScoped
class PendingReports {

    record Pending(ToolCall call, String policyRevision, List<AfterCall> afters, Instant expires) {
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** Admitted checks by agent (held, or about to be): what {@link #admit} counts against the maximum. */
    private final Map<String, AtomicInteger> admitted = new ConcurrentHashMap<>();
    private final Duration lease;
    private final int maxPerAgent;
    private final Clock clock;
    private volatile Instant lastSweep = Instant.EPOCH;

    @Inject
    PendingReports(ToolgateConfig config) {
        this(config.limits().lease(), config.limits().maxPendingChecks(), Clock.systemUTC());
    }

    PendingReports(Duration lease, int maxPerAgent, Clock clock) {
        if (maxPerAgent < 1) {
            throw new IllegalArgumentException("toolgate.limits.max-pending-checks must be at least 1");
        }
        this.lease = lease;
        this.maxPerAgent = maxPerAgent;
        this.clock = clock;
    }

    /** The most checks one agent may have waiting. */
    int maxPerAgent() {
        return maxPerAgent;
    }

    /**
     * Takes a place for one more check of this call's agent: false when the agent has the most checks waiting it may
     * (after the expired ones are dropped). A place taken is given back by {@link #hold}ing the call (and then its
     * report or expiry) or by {@link #withdraw}.
     */
    boolean admit(ToolCall call) {
        AtomicInteger count = admitted.computeIfAbsent(agent(call), ignored -> new AtomicInteger());
        if (count.incrementAndGet() <= maxPerAgent) {
            return true;
        }
        count.decrementAndGet();
        sweep(clock.instant(), true);
        if (count.incrementAndGet() <= maxPerAgent) {
            return true;
        }
        count.decrementAndGet();
        return false;
    }

    /** Gives back a place {@link #admit} took for a call that is not held after all. */
    void withdraw(ToolCall call) {
        released(agent(call));
    }

    /** Holds an admitted call until its report. */
    void hold(ToolCall call, String policyRevision, List<AfterCall> afters) {
        Instant now = clock.instant();
        pending.put(call.id(), new Pending(call, policyRevision, List.copyOf(afters), now.plus(lease)));
        sweep(now, false);
    }

    /** Drops expired entries, at most every 10 s (every second when an agent is at its maximum). */
    private void sweep(Instant now, boolean full) {
        if (now.isAfter(lastSweep.plusSeconds(full ? 1 : 10))) {
            lastSweep = now;
            for (Map.Entry<String, Pending> e : pending.entrySet()) {
                // a report may take the entry meanwhile: whoever removes it gives its place back, once
                if (e.getValue().expires().isBefore(now) && pending.remove(e.getKey(), e.getValue())) {
                    released(agent(e.getValue().call()));
                }
            }
        }
    }

    private void released(String agent) {
        AtomicInteger count = admitted.get(agent);
        if (count != null) {
            count.decrementAndGet();
        }
    }

    private static String agent(ToolCall call) {
        Principal p = call.principal().orElseThrow();
        return p.tenant() + '\u0000' + p.agent();
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
        if (!pending.remove(decisionId, found)) {
            return Optional.empty();
        }
        released(agent(found.call()));
        return Optional.of(found);
    }
}
