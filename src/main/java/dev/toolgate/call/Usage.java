package dev.toolgate.call;

import java.time.Duration;
import java.util.List;

/**
 * Where a call stands against its rate limits and budgets, after the limits stage took its share; answers carry it
 * as {@code RateLimit-Policy} / {@code RateLimit} headers.
 *
 * @param rates every rate limit that counted the call
 * @param budgets every budget the call reserved against
 */
public record Usage(List<RateUsage> rates, List<BudgetUsage> budgets) {

    public static final Usage NONE = new Usage(List.of(), List.of());

    public Usage {
        rates = List.copyOf(rates);
        budgets = List.copyOf(budgets);
    }

    /**
     * @param name the limit's name
     * @param permits calls per period
     * @param period the period
     * @param remaining calls left now
     * @param reset when the limit is back to its full burst
     */
    public record RateUsage(String name, long permits, Duration period, long remaining, Duration reset) {
    }

    /**
     * @param name the budget's name
     * @param capUsdMicros the cap
     * @param spentUsdMicros spent so far in the window
     * @param reservedUsdMicros held by calls in flight, this one included
     */
    public record BudgetUsage(String name, long capUsdMicros, long spentUsdMicros, long reservedUsdMicros) {
    }
}
