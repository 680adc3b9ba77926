package dev.toolgate.call;

import java.util.Optional;

/**
 * What a call of an action is estimated to cost, in integer micro-dollars, before the tool reports the actual cost:
 * the integer at {@code pointer} in the arguments when given (e.g. a refund's {@code /amount_usd_micros}), else
 * {@code fixedUsdMicros}.
 */
public record CostSpec(long fixedUsdMicros, Optional<String> pointer) {

    public static final CostSpec FREE = new CostSpec(0, Optional.empty());

    public CostSpec {
        if (fixedUsdMicros < 0) {
            throw new IllegalArgumentException("a cost must not be negative");
        }
    }
}
