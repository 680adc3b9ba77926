package dev.toolgate.limits;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

import dev.toolgate.limits.LimitsStore.Budget;
import dev.toolgate.limits.LimitsStore.BudgetState;
import dev.toolgate.limits.LimitsStore.Killed;
import dev.toolgate.limits.LimitsStore.OverBudget;
import dev.toolgate.limits.LimitsStore.Rate;
import dev.toolgate.limits.LimitsStore.RateLimited;
import dev.toolgate.limits.LimitsStore.RateState;
import dev.toolgate.limits.LimitsStore.ReserveRequest;
import dev.toolgate.limits.LimitsStore.ReserveResult;
import dev.toolgate.limits.LimitsStore.Reserved;

/**
 * One tenant's state in the embedded store, behind one lock: the same data and steps as the Redis scripts (read
 * {@code reserve.lua} and {@code release.lua} beside this). Every method holds the lock for microseconds of pure CPU.
 * <p>
 * Two clocks, as in Redis: GCRA and leases count in the request's {@code now}; ledgers and reservations expire by the
 * wall clock ({@code wall}), as Redis expires keys.
 */
final class EmbeddedTenant {

    private static final class Ledger {
        long cap;
        long spent;
        long reserved;
        long gen;
        Instant expiresAt;
    }

    private record Reservation(Map<String, Long> amounts, Map<String, Long> gens, long leaseAt, Instant expiresAt) {
    }

    private record Lease(long at, String id) implements Comparable<Lease> {
        @Override
        public int compareTo(Lease other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : id.compareTo(other.id);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, String> kill = new HashMap<>();
    private final Map<String, Long> tats = new HashMap<>();
    private final Map<String, Ledger> ledgers = new HashMap<>();
    private final Map<String, Reservation> reservations = new HashMap<>();
    private final TreeSet<Lease> leases = new TreeSet<>();

    ReserveResult reserve(ReserveRequest request, Instant wall) {
        lock.lock();
        try {
            for (String field : request.killFields()) {
                String reason = kill.get(field);
                if (reason != null) {
                    return new Killed(field, reason);
                }
            }
            long now = Micros.of(request.now());
            int rates = request.rates().size();
            long[] newTats = new long[rates];
            List<RateState> peek = new ArrayList<>(rates);
            List<RateState> after = new ArrayList<>(rates);
            int limited = -1;
            long retry = 0;
            for (int i = 0; i < rates; i++) {
                Rate rate = request.rates().get(i);
                long t = Micros.of(rate.emissionInterval());
                long tau = t * (rate.burst() - 1);
                long tat = Math.max(tats.getOrDefault(rate.key(), now), now);
                peek.add(new RateState(Math.max(0, Math.floorDiv(tau + t - (tat - now), t)), Micros.duration(tat - now)));
                if (tat - now > tau) {
                    if (limited < 0) {
                        limited = i;
                        retry = tat - now - tau;
                    }
                } else {
                    newTats[i] = tat + t;
                    after.add(new RateState(Math.floorDiv(tau + t - (newTats[i] - now), t),
                            Micros.duration(newTats[i] - now)));
                }
            }
            if (limited >= 0) {
                return new RateLimited(limited, Micros.duration(retry), peek);
            }
            List<BudgetState> budgets = new ArrayList<>(request.budgets().size());
            for (int j = 0; j < request.budgets().size(); j++) {
                Budget budget = request.budgets().get(j);
                Ledger ledger = live(budget.key(), wall);
                long spent = ledger == null ? 0 : ledger.spent;
                long reserved = ledger == null ? 0 : ledger.reserved;
                if (spent + reserved + budget.amountUsdMicros() > budget.capUsdMicros()) {
                    return new OverBudget(j, new BudgetState(budget.capUsdMicros(), spent, reserved));
                }
                budgets.add(new BudgetState(budget.capUsdMicros(), spent, reserved + budget.amountUsdMicros()));
            }
            if (!request.dryRun()) {
                write(request, newTats, now, wall);
            }
            return new Reserved(after, budgets);
        } finally {
            lock.unlock();
        }
    }

    private void write(ReserveRequest request, long[] newTats, long now, Instant wall) {
        if (reservation(request.reservationId(), wall) != null) {
            throw new IllegalStateException("reservation " + request.reservationId() + " exists");
        }
        for (int i = 0; i < newTats.length; i++) {
            tats.put(request.rates().get(i).key(), newTats[i]);
        }
        Map<String, Long> amounts = new HashMap<>();
        Map<String, Long> gens = new HashMap<>();
        Instant latest = null;
        for (Budget budget : request.budgets()) {
            Ledger ledger = live(budget.key(), wall);
            if (ledger == null) {
                ledger = new Ledger();
                ledgers.put(budget.key(), ledger);
            }
            ledger.reserved += budget.amountUsdMicros();
            ledger.cap = budget.capUsdMicros();
            ledger.expiresAt = budget.expiresAt();
            amounts.put(budget.key(), budget.amountUsdMicros());
            gens.put(budget.key(), ledger.gen);
            latest = latest == null || budget.expiresAt().isAfter(latest) ? budget.expiresAt() : latest;
        }
        long leaseAt = now + Micros.of(request.lease());
        Instant expiresAt = latest != null ? latest : wall.plus(request.lease());
        reservations.put(request.reservationId(), new Reservation(amounts, gens, leaseAt, expiresAt));
        leases.add(new Lease(leaseAt, request.reservationId()));
    }

    /** Settles ({@code actual} present) or releases a reservation; false when it was gone. */
    boolean release(String reservationId, Optional<Long> actual, Instant wall) {
        lock.lock();
        try {
            Reservation reservation = reservation(reservationId, wall);
            if (reservation == null) {
                return false;
            }
            reservations.remove(reservationId);
            leases.remove(new Lease(reservation.leaseAt(), reservationId));
            for (Map.Entry<String, Long> entry : reservation.amounts().entrySet()) {
                Ledger ledger = live(entry.getKey(), wall);
                if (ledger != null && ledger.gen == reservation.gens().get(entry.getKey())) {
                    ledger.reserved -= Math.min(entry.getValue(), ledger.reserved);
                    actual.ifPresent(cost -> ledger.spent += cost);
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Releases the reservations whose lease expired at or before {@code now}, and forgets expired state. */
    int releaseExpired(long now, Instant wall) {
        lock.lock();
        try {
            int released = 0;
            while (!leases.isEmpty() && leases.first().at() <= now) {
                Lease lease = leases.first();
                if (!release(lease.id(), Optional.empty(), wall)) {
                    leases.remove(lease);
                } else {
                    released++;
                }
            }
            tats.values().removeIf(tat -> tat <= now);
            ledgers.values().removeIf(ledger -> !wall.isBefore(ledger.expiresAt));
            if (reservations.values().removeIf(reservation -> !wall.isBefore(reservation.expiresAt()))) {
                leases.removeIf(lease -> !reservations.containsKey(lease.id()));
            }
            return released;
        } finally {
            lock.unlock();
        }
    }

    BudgetState budget(String key, Instant wall) {
        lock.lock();
        try {
            Ledger ledger = live(key, wall);
            return ledger == null ? new BudgetState(0, 0, 0) : new BudgetState(ledger.cap, ledger.spent, ledger.reserved);
        } finally {
            lock.unlock();
        }
    }

    void resetBudget(String key, Instant wall) {
        lock.lock();
        try {
            Ledger ledger = live(key, wall);
            if (ledger != null) {
                ledger.spent = 0;
                ledger.reserved = 0;
                ledger.gen++;
            }
        } finally {
            lock.unlock();
        }
    }

    Map<String, String> killSwitches() {
        lock.lock();
        try {
            return Map.copyOf(kill);
        } finally {
            lock.unlock();
        }
    }

    void kill(String field, Optional<String> reason) {
        lock.lock();
        try {
            reason.ifPresentOrElse(why -> kill.put(field, why), () -> kill.remove(field));
        } finally {
            lock.unlock();
        }
    }

    private Ledger live(String key, Instant wall) {
        Ledger ledger = ledgers.get(key);
        if (ledger != null && !wall.isBefore(ledger.expiresAt)) {
            ledgers.remove(key);
            return null;
        }
        return ledger;
    }

    private Reservation reservation(String id, Instant wall) {
        Reservation reservation = reservations.get(id);
        if (reservation != null && !wall.isBefore(reservation.expiresAt())) {
            reservations.remove(id);
            leases.remove(new Lease(reservation.leaseAt(), id));
            return null;
        }
        return reservation;
    }
}
