package dev.toolgate.limits;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.smallrye.mutiny.Uni;

/**
 * The limits store in this instance's memory, for a single instance without Redis: the same semantics as
 * {@link RedisLimitsStore}, but budgets and rate limits are per instance, so two instances each admit a full budget.
 *
 * <h2>Threads</h2>
 * Each tenant's state sits behind its own lock, held for microseconds of pure CPU, so calling from an event loop is
 * fine. A {@code Uni} computes when subscribed, on the subscriber's thread; each subscription runs the operation again.
 *
 * <h2>Expiry</h2>
 * Ledgers and reservations expire by the wall clock, as Redis keys do; expired entries are dropped when touched and by
 * {@link #releaseExpired}, which the lease sweep calls for every tenant.
 */
public final class EmbeddedLimitsStore implements LimitsStore {

    private final ConcurrentMap<String, EmbeddedTenant> tenants = new ConcurrentHashMap<>();
    private final Clock wall;

    public EmbeddedLimitsStore() {
        this(Clock.systemUTC());
    }

    /** @param wall the clock that expires ledgers and reservations */
    public EmbeddedLimitsStore(Clock wall) {
        this.wall = wall;
    }

    @Override
    public Uni<ReserveResult> reserve(ReserveRequest request) {
        return Uni.createFrom().item(() -> {
            RequestChecks.reserve(request);
            return tenant(request.tenant()).reserve(request, wall.instant());
        });
    }

    @Override
    public Uni<SettleResult> settle(SettleRequest request) {
        return release(request, Optional.of(request.actualUsdMicros()));
    }

    @Override
    public Uni<SettleResult> release(SettleRequest request) {
        return release(request, Optional.empty());
    }

    private Uni<SettleResult> release(SettleRequest request, Optional<Long> actual) {
        return Uni.createFrom().item(() -> {
            RequestChecks.settle(request);
            return tenant(request.tenant()).release(request.reservationId(), actual, wall.instant())
                    ? SettleResult.SETTLED
                    : SettleResult.GONE;
        });
    }

    @Override
    public Uni<Integer> releaseExpired(String tenant, Instant now) {
        return Uni.createFrom().item(() -> tenant(tenant).releaseExpired(Micros.of(now), wall.instant()));
    }

    @Override
    public Uni<BudgetState> budget(String tenant, String budgetKey) {
        return Uni.createFrom().item(() -> {
            RequestChecks.keys(tenant, List.of(budgetKey));
            return tenant(tenant).budget(budgetKey, wall.instant());
        });
    }

    @Override
    public Uni<Void> resetBudget(String tenant, String budgetKey) {
        return Uni.createFrom().item(() -> {
            RequestChecks.keys(tenant, List.of(budgetKey));
            tenant(tenant).resetBudget(budgetKey, wall.instant());
            return null;
        });
    }

    @Override
    public Uni<java.util.Map<String, String>> killSwitches(String tenant) {
        return Uni.createFrom().item(() -> tenant(tenant).killSwitches());
    }

    @Override
    public Uni<java.util.Map<String, java.util.Map<String, String>>> allKillSwitches() {
        return Uni.createFrom().item(() -> {
            java.util.Map<String, java.util.Map<String, String>> all = new java.util.HashMap<>();
            tenants.forEach((name, tenant) -> all.put(name, tenant.killSwitches()));
            return all;
        });
    }

    @Override
    public Uni<Void> kill(String tenant, String field, Optional<String> reason) {
        return Uni.createFrom().item(() -> {
            RequestChecks.killField(field);
            tenant(tenant).kill(field, reason);
            return null;
        });
    }

    private EmbeddedTenant tenant(String tenant) {
        return tenants.computeIfAbsent(tenant, name -> new EmbeddedTenant());
    }
}
