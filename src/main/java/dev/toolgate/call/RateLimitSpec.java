package dev.toolgate.call;

import java.time.Duration;
import java.util.Objects;

/**
 * A rate limit: {@code permits} calls per {@code period}, with bursts of up to {@code burst} calls, counted per
 * subject (the agent, tool, action or tenant its selector names; see {@link #per()}).
 *
 * @param name the limit's name, unique in the contract; it names the limit in answers and keys
 * @param selector which calls count
 * @param per what one counter is kept for
 * @param permits calls per period, at least 1
 * @param period the period, positive
 * @param burst how many calls may arrive at once, at least 1
 */
public record RateLimitSpec(String name, Selector selector, Subject per, long permits, Duration period, long burst) {

    /** What one counter of a limit is kept for. */
    public enum Subject {
        AGENT,
        TOOL,
        ACTION,
        TENANT
    }

    public RateLimitSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(per, "per");
        if (permits < 1 || burst < 1 || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("rate limit " + name + ": permits, burst and period must be positive");
        }
    }
}
