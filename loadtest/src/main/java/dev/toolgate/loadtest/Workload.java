package dev.toolgate.loadtest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.toolgate.limits.Keys;
import dev.toolgate.limits.LimitsStore.Budget;
import dev.toolgate.limits.LimitsStore.Rate;
import dev.toolgate.limits.LimitsStore.ReserveRequest;
import dev.toolgate.limits.LimitsStore.SettleRequest;

/**
 * One benchmark thread's calls, shaped like a real one: two kill switch fields, one rate limit of the agent, a run
 * budget and the tenant's monthly budget, all of one tenant. The limits never bite (the rate admits a call every
 * microsecond with a huge burst, the caps are huge), so every call takes the full write path.
 */
final class Workload {

    static final String TENANT = "bench";
    static final long COST = 1_000;

    private final String thread;
    private final Rate rate;
    private final Budget run;
    private final Budget month;
    private long sequence;
    private String lastId;

    Workload(String thread) {
        this.thread = thread;
        Instant now = Instant.now();
        this.rate = new Rate(Keys.rate(TENANT, "calls", "agent:" + thread), Duration.ofNanos(1_000), 1_000_000_000L);
        this.run = new Budget(Keys.runBudget(TENANT, "run", "bench-bot", thread), 1L << 50, COST, now.plus(Duration.ofMinutes(10)));
        this.month = new Budget(Keys.tenantBudget(TENANT, "month", now), 1L << 50, COST,
                now.plus(Duration.ofMinutes(10)));
    }

    ReserveRequest next() {
        lastId = thread + "-" + sequence++;
        return new ReserveRequest(TENANT, lastId, List.of("tool:payments", "agent:" + thread), List.of(rate),
                List.of(run, month), Instant.now(), Duration.ofMinutes(5), false);
    }

    SettleRequest settleLast() {
        return new SettleRequest(TENANT, lastId, List.of(run.key(), month.key()), COST);
    }
}
