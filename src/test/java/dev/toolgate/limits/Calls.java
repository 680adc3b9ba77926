package dev.toolgate.limits;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.limits.LimitsStore.Budget;
import dev.toolgate.limits.LimitsStore.Rate;
import dev.toolgate.limits.LimitsStore.ReserveRequest;
import dev.toolgate.limits.LimitsStore.SettleRequest;
import io.smallrye.mutiny.Uni;

/** Requests for the limits store tests, for one fresh tenant so that tests never share state. */
final class Calls {

    static final Duration LEASE = Duration.ofMinutes(1);
    static final Duration WAIT = Duration.ofSeconds(30);

    final String tenant = "t-" + UUID.randomUUID();
    /** Near the wall clock, because Redis expires ledgers by its own clock. */
    final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    String rateKey(String name) {
        return Keys.rate(tenant, name, "agent:bot");
    }

    String budgetKey(String name) {
        return Keys.runBudget(tenant, name, "bot", "run-1");
    }

    Rate rate(String name, Duration emissionInterval, long burst) {
        return new Rate(rateKey(name), emissionInterval, burst);
    }

    /** A run budget whose ledger lives for a day. */
    Budget budget(String name, long cap, long amount) {
        return new Budget(budgetKey(name), cap, amount, now.plus(Duration.ofDays(1)));
    }

    ReserveRequest reserve(String id, Instant at, List<Rate> rates, List<Budget> budgets) {
        return new ReserveRequest(tenant, id, List.of(), rates, budgets, at, LEASE, false);
    }

    ReserveRequest reserve(String id, List<Budget> budgets) {
        return reserve(id, now, List.of(), budgets);
    }

    ReserveRequest rateOnly(String id, Instant at, Rate rate) {
        return reserve(id, at, List.of(rate), List.of());
    }

    ReserveRequest dryRun(ReserveRequest request) {
        return new ReserveRequest(request.tenant(), request.reservationId(), request.killFields(), request.rates(),
                request.budgets(), request.now(), request.lease(), true);
    }

    ReserveRequest withKillFields(ReserveRequest request, List<String> fields) {
        return new ReserveRequest(request.tenant(), request.reservationId(), fields, request.rates(),
                request.budgets(), request.now(), request.lease(), request.dryRun());
    }

    SettleRequest settle(String id, long actual, Budget... budgets) {
        return new SettleRequest(tenant, id, List.of(budgets).stream().map(Budget::key).toList(), actual);
    }

    static <T> T await(Uni<T> uni) {
        return uni.await().atMost(WAIT);
    }

    /** The limits settings of a stage built by hand: the defaults of {@link ToolgateConfig.Limits}. */
    static ToolgateConfig.Limits limitsConfig() {
        return new ToolgateConfig.Limits() {
            public Duration lease() {
                return Duration.ofMinutes(5);
            }

            public int maxPendingChecks() {
                return 10_000;
            }

            public Duration runTtl() {
                return Duration.ofDays(7);
            }

            public Duration sweepInterval() {
                return Duration.ofSeconds(10);
            }

            public Duration killSwitchRefresh() {
                return Duration.ofSeconds(5);
            }
        };
    }
}
