package dev.toolgate.call;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

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

    /**
     * The estimate for one call's arguments.
     *
     * @param max the largest estimate accepted
     * @throws IllegalArgumentException when the value at {@code pointer} is not a whole number from 0 to {@code max}
     */
    public long estimate(JsonNode args, long max) {
        if (pointer.isPresent()) {
            JsonNode value = args.at(pointer.get());
            if (!value.isMissingNode()) {
                if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0
                        || value.longValue() > max) {
                    throw new IllegalArgumentException(pointer.get()
                            + ": the cost must be a non-negative integer of micro-dollars");
                }
                return value.longValue();
            }
        }
        return fixedUsdMicros;
    }
}
