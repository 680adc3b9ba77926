package dev.toolgate.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.smallrye.mutiny.Uni;

/**
 * Where rate-limit state, spend ledgers with their reservations, and runtime kill switches live: Redis, or the
 * embedded store on one instance. Both give the same semantics; every method is one atomic step.
 *
 * <p>
 * Keys are built by {@link Keys} and all carry the tenant's hash tag, so that one call's keys sit in one Redis Cluster
 * slot. Money is integer micro-dollars. A failed {@code Uni} means the store could not be reached or answered
 * wrongly: the caller applies its failure mode.
 */
public interface LimitsStore {

    /**
     * Checks the kill switches, takes one token of every rate limit and reserves {@code amount} against every budget:
     * all or nothing. In a dry run nothing is written.
     */
    Uni<ReserveResult> reserve(ReserveRequest request);

    /**
     * Settles a reservation: adds {@code actualUsdMicros} to each budget's spent and releases its reserved amount.
     * Settling a reservation that was already settled or released by lease expiry does nothing and answers
     * {@link SettleResult#GONE}.
     */
    Uni<SettleResult> settle(SettleRequest request);

    /** Releases one reservation without spending (the call was denied or failed before the tool ran). */
    Uni<SettleResult> release(SettleRequest request);

    /** Releases every reservation of the tenant whose lease expired before {@code now}; answers how many. */
    Uni<Integer> releaseExpired(String tenant, Instant now);

    /** A budget ledger's state (zeros when it has no entry yet). */
    Uni<BudgetState> budget(String tenant, String budgetKey);

    /** Sets a budget ledger's spent and reserved to zero (its open reservations then settle into nothing). */
    Uni<Void> resetBudget(String tenant, String budgetKey);

    /** The tenant's engaged runtime kill switches: field (see {@link Keys#killField}) → reason. */
    Uni<java.util.Map<String, String>> killSwitches(String tenant);

    /** Every tenant's engaged runtime kill switches (tenants with none may be left out): tenant → field → reason. */
    Uni<java.util.Map<String, java.util.Map<String, String>>> allKillSwitches();

    /**
     * Engages ({@code reason} present) or clears a runtime kill switch field of the tenant (see {@link Keys#killField})
     * and tells every instance watching ({@link #watchKillSwitches}) that the tenant's switches changed.
     */
    Uni<Void> kill(String tenant, String field, Optional<String> reason);

    /**
     * Calls {@code changed} with a tenant's name whenever its kill switches may have changed on another instance, and
     * {@code watching} each time the watch (re)starts, from when on no change is missed until the next call of
     * {@code lost}. A store shared by no other instance watches nothing.
     *
     * @return stops the watch
     */
    default AutoCloseable watchKillSwitches(java.util.function.Consumer<String> changed, Runnable watching,
            Runnable lost) {
        return () -> {
        };
    }

    /**
     * @param tenant the tenant every key belongs to
     * @param reservationId the call's decision id
     * @param killFields kill switch fields to check, e.g. {@code tool:payments}
     * @param rates rate limits to take a token of
     * @param budgets budgets to reserve against
     * @param now the time of the call, for windows and rate limits
     * @param lease how long the reservation lives without a settle
     * @param dryRun check only: write nothing
     */
    record ReserveRequest(String tenant, String reservationId, List<String> killFields, List<Rate> rates,
            List<Budget> budgets, Instant now, Duration lease, boolean dryRun) {
        public ReserveRequest {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(reservationId, "reservationId");
            killFields = List.copyOf(killFields);
            rates = List.copyOf(rates);
            budgets = List.copyOf(budgets);
            Objects.requireNonNull(now, "now");
            Objects.requireNonNull(lease, "lease");
        }
    }

    /**
     * One rate limit as GCRA parameters: one token every {@code emissionInterval}, bursts of up to {@code burst}.
     *
     * @param key the limit's key
     */
    record Rate(String key, Duration emissionInterval, long burst) {
    }

    /**
     * One budget to reserve against.
     *
     * @param key the ledger's key
     * @param capUsdMicros the cap
     * @param amountUsdMicros what to reserve
     * @param expiresAt when the ledger may be forgotten (the end of its window plus a grace period)
     */
    record Budget(String key, long capUsdMicros, long amountUsdMicros, Instant expiresAt) {
    }

    /** What {@link #reserve} decided. */
    sealed interface ReserveResult {
    }

    /**
     * Every check passed; in an enforcing call the reservation is held.
     *
     * @param rates the state of each rate limit after this call, in request order
     * @param budgets the state of each budget after this call, in request order
     */
    record Reserved(List<RateState> rates, List<BudgetState> budgets) implements ReserveResult {
    }

    /** A kill switch field is engaged. */
    record Killed(String field, String reason) implements ReserveResult {
    }

    /**
     * Rate limit {@code index} has no token.
     *
     * @param retryAfter when a token will be there
     */
    record RateLimited(int index, Duration retryAfter, List<RateState> rates) implements ReserveResult {
    }

    /** Budget {@code index} cannot admit the amount. */
    record OverBudget(int index, BudgetState state) implements ReserveResult {
    }

    /**
     * @param remaining tokens left now
     * @param reset when the limit is back to its full burst
     */
    record RateState(long remaining, Duration reset) {
    }

    /** A ledger: cap (when known), spent and reserved micro-dollars. */
    record BudgetState(long capUsdMicros, long spentUsdMicros, long reservedUsdMicros) {
        public long remainingUsdMicros() {
            return Math.max(0, capUsdMicros - spentUsdMicros - reservedUsdMicros);
        }
    }

    /**
     * @param budgetKeys the ledgers the reservation was taken against (for settling in one Cluster slot)
     * @param actualUsdMicros the actual cost (ignored by {@link #release})
     */
    record SettleRequest(String tenant, String reservationId, List<String> budgetKeys, long actualUsdMicros) {
        public SettleRequest {
            budgetKeys = List.copyOf(budgetKeys);
        }
    }

    /** Whether a settle or release found its reservation. */
    enum SettleResult {
        SETTLED,
        GONE
    }
}
