package dev.toolgate.ingress.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import dev.toolgate.call.Usage;
import io.vertx.core.http.HttpServerResponse;

/**
 * The IETF rate-limit header fields (draft-ietf-httpapi-ratelimit-headers): {@code RateLimit-Policy} names each limit
 * that counted the call with its quota {@code q} per window {@code w} seconds; {@code RateLimit} gives what remains
 * {@code r} and the seconds {@code t} until the limit is full again.
 */
public final class RateLimitHeaders {

    private RateLimitHeaders() {
    }

    public static void write(HttpServerResponse response, Usage usage) {
        fields(usage).forEach(field -> response.putHeader(field.getKey(), field.getValue()));
    }

    /** {@code RateLimit-Policy} and {@code RateLimit}, or nothing when no rate limit counted the call. */
    public static List<Map.Entry<String, String>> fields(Usage usage) {
        if (usage.rates().isEmpty()) {
            return List.of();
        }
        StringJoiner policy = new StringJoiner(", ");
        StringJoiner state = new StringJoiner(", ");
        for (Usage.RateUsage rate : usage.rates()) {
            String name = "\"" + rate.name() + "\"";
            policy.add(name + ";q=" + rate.permits() + ";w=" + seconds(rate.period()));
            state.add(name + ";r=" + rate.remaining() + ";t=" + seconds(rate.reset()));
        }
        return List.of(Map.entry("RateLimit-Policy", policy.toString()), Map.entry("RateLimit", state.toString()));
    }

    /** Whole seconds, rounded up: a client waiting this long is never early. */
    public static long seconds(Duration d) {
        return Math.max(0, (d.toMillis() + 999) / 1000);
    }
}
