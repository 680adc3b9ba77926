package dev.toolgate.call;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A W3C Trace Context ({@code traceparent}, {@code tracestate}) as it travels with a call: on arrival, what the agent
 * sent (the trace toolgate continues); from the pipeline on, the span of toolgate that the next hop continues. A value
 * from outside is only ever taken through {@link #parse}, which refuses anything but the exact format, so a hostile
 * value cannot reach a header or a log as it was sent.
 *
 * @param traceparent {@code 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>}, lowercase
 * @param tracestate the vendor entries, or the empty string
 */
public record TraceContext(String traceparent, String tracestate) {

    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
    /** Visible ASCII, spaces and tabs only, as the list-members of tracestate are; at most 512 characters. */
    private static final Pattern TRACESTATE = Pattern.compile("[\\x20-\\x7e\\t]{0,512}");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_SPAN = "0".repeat(16);

    public TraceContext {
        Objects.requireNonNull(traceparent, "traceparent");
        tracestate = tracestate == null ? "" : tracestate;
        if (!valid(traceparent) || !TRACESTATE.matcher(tracestate).matches()) {
            throw new IllegalArgumentException("not a W3C trace context");
        }
    }

    /**
     * The trace context in two header values, or empty when there is none or it is not exactly W3C's version 00
     * (then toolgate starts a trace of its own). A {@code tracestate} that is not well formed is dropped, the
     * {@code traceparent} kept.
     */
    public static Optional<TraceContext> parse(String traceparent, String tracestate) {
        if (!valid(traceparent)) {
            return Optional.empty();
        }
        String state = tracestate != null && TRACESTATE.matcher(tracestate).matches() ? tracestate.strip() : "";
        return Optional.of(new TraceContext(traceparent, state));
    }

    private static boolean valid(String traceparent) {
        if (traceparent == null || traceparent.length() != 55) {
            return false;
        }
        var m = TRACEPARENT.matcher(traceparent);
        return m.matches() && !m.group(1).equals(ZERO_TRACE) && !m.group(2).equals(ZERO_SPAN);
    }

    /** The 32 hex digits of the trace id. */
    public String traceId() {
        return traceparent.substring(3, 35);
    }

    /** The 16 hex digits of the span this context names. */
    public String spanId() {
        return traceparent.substring(36, 52);
    }
}
