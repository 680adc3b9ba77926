package dev.toolgate.limits;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.toolgate.limits.LimitsStore.Budget;
import dev.toolgate.limits.LimitsStore.Rate;
import dev.toolgate.limits.LimitsStore.ReserveRequest;
import dev.toolgate.limits.LimitsStore.SettleRequest;

/**
 * What both stores refuse before touching any state. A refusal is a bug in the caller (an
 * {@link IllegalArgumentException}), never a decision.
 */
final class RequestChecks {

    /**
     * The largest amount, cap or GCRA window accepted: 2^51, so that a sum of three stays below 2^53, where Lua's
     * doubles still count every integer exactly. 2^51 micro-dollars are about 2.25 billion dollars.
     */
    static final long MAX = 1L << 51;

    private RequestChecks() {
    }

    static void reserve(ReserveRequest request) {
        String prefix = Keys.prefix(request.tenant());
        if (request.reservationId().isEmpty()) {
            throw new IllegalArgumentException("a reservation needs an id");
        }
        if (Micros.of(request.now()) <= 0 || request.lease().isNegative()) {
            throw new IllegalArgumentException("now must be after the epoch and the lease must not be negative");
        }
        Set<String> keys = new HashSet<>();
        for (Rate rate : request.rates()) {
            own(prefix, rate.key(), keys);
            long interval = Micros.of(rate.emissionInterval());
            if (interval < 1 || rate.burst() < 1 || rate.burst() > MAX / interval) {
                throw new IllegalArgumentException("rate limit " + rate.key()
                        + ": the emission interval must be at least 1us and interval x burst below 2^51us");
            }
        }
        for (Budget budget : request.budgets()) {
            own(prefix, budget.key(), keys);
            money(budget.key(), budget.capUsdMicros());
            money(budget.key(), budget.amountUsdMicros());
            if (budget.expiresAt() == null) {
                throw new IllegalArgumentException("budget " + budget.key() + " has no expiry");
            }
        }
        request.killFields().forEach(RequestChecks::killField);
    }

    static void killField(String field) {
        if (field == null || field.isEmpty()) {
            throw new IllegalArgumentException("empty kill switch field");
        }
    }

    static void settle(SettleRequest request) {
        if (request.tenant() == null || request.reservationId() == null || request.reservationId().isEmpty()) {
            throw new IllegalArgumentException("a settle needs a tenant and a reservation id");
        }
        money(request.reservationId(), request.actualUsdMicros());
        keys(request.tenant(), request.budgetKeys());
    }

    static void keys(String tenant, List<String> keys) {
        String prefix = Keys.prefix(tenant);
        for (String key : keys) {
            own(prefix, key, new HashSet<>());
        }
    }

    private static void own(String prefix, String key, Set<String> seen) {
        if (key == null || !key.startsWith(prefix)) {
            throw new IllegalArgumentException("key " + key + " does not belong to " + prefix);
        }
        if (!seen.add(key)) {
            throw new IllegalArgumentException("key " + key + " appears twice in one call");
        }
    }

    private static void money(String what, long usdMicros) {
        if (usdMicros < 0 || usdMicros > MAX) {
            throw new IllegalArgumentException(what + ": " + usdMicros + " micro-dollars is outside 0..2^51");
        }
    }
}
