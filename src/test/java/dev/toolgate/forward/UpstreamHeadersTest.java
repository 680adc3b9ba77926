package dev.toolgate.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.toolgate.config.ToolgateConfig.Http.Forwarded;

/** Which headers a tool gets, and what toolgate itself says of the caller. */
class UpstreamHeadersTest {

    @Test
    void keepsTheUsualHeadersAndThoseTheToolDeclaresButNeverAnOverride() {
        List<Map.Entry<String, String>> agent = List.of(Map.entry("Accept", "application/json"),
                Map.entry("X-Request-Id", "r-1"), Map.entry("X-Other", "o"), Map.entry("X-Forwarded-For", "10.0.0.1"),
                Map.entry("X-HTTP-Method-Override", "DELETE"));
        assertEquals(List.of(Map.entry("Accept", "application/json"), Map.entry("X-Request-Id", "r-1")),
                UpstreamHeaders.toTool(agent, List.of("x-request-id")));
        // even a declaration cannot let an override through (the loader refuses it; this holds anyway)
        assertEquals(List.of(), UpstreamHeaders.toTool(List.of(Map.entry("X-HTTP-Method-Override", "DELETE")),
                List.of("x-http-method-override")));
    }

    @Test
    void tellsWhoCalledOnlyWhenConfigured() {
        assertEquals(List.of(), UpstreamHeaders.forwarded(Forwarded.NONE, "192.0.2.7"));
        assertEquals(List.of(Map.entry("Forwarded", "for=192.0.2.7")),
                UpstreamHeaders.forwarded(Forwarded.FORWARDED, "192.0.2.7"));
        assertEquals(List.of(Map.entry("Forwarded", "for=\"[2001:db8::7]\"")),
                UpstreamHeaders.forwarded(Forwarded.FORWARDED, "2001:db8::7"));
        assertEquals(List.of(Map.entry("X-Forwarded-For", "192.0.2.7")),
                UpstreamHeaders.forwarded(Forwarded.X_FORWARDED_FOR, "192.0.2.7"));
    }
}
