package dev.toolgate.forward;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.toolgate.call.HeaderNames;
import dev.toolgate.call.TraceContext;
import dev.toolgate.config.ToolgateConfig;

/**
 * Which headers cross toolgate, in one place for every protocol. A tool gets an allow-list of the agent's headers
 * (content negotiation, conditionals, tracing, and what its contract names): never credentials, identity assertions,
 * proxy, forwarding or override headers (the tool trusts toolgate, not the agent). An MCP server sees only the
 * headers MCP needs. Answers cross without hop-by-hop headers and toolgate's own, and an MCP answer with only those
 * MCP defines.
 */
public final class UpstreamHeaders {

    /**
     * The request headers every HTTP tool gets: content negotiation, the representation sent, conditionals and the
     * idempotency key. Anything else the agent sends stays here unless the tool's contract names it. The trace context
     * is toolgate's to send ({@link #trace}), never the agent's as it came.
     */
    private static final Set<String> TOOL_REQUEST = Set.of("accept", "accept-charset", "accept-encoding",
            "accept-language", "content-type", "content-encoding", "content-language", "if-match", "if-none-match",
            "if-modified-since", "if-unmodified-since", "idempotency-key", "user-agent");

    /** The W3C trace context headers: only ever sent as {@link #trace} makes them. */
    private static final Set<String> TRACE = Set.of("traceparent", "tracestate");

    /**
     * The agent's request headers a tool receives: those every tool gets and those the tool's contract names (see
     * {@link HeaderNames#neverForwarded}), nothing else.
     */
    public static List<Map.Entry<String, String>> toTool(List<Map.Entry<String, String>> headers,
            List<String> declared) {
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if ((TOOL_REQUEST.contains(name) || declared.contains(name)) && HeaderNames.neverForwarded(name) == null
                    && !TRACE.contains(name)) {
                kept.add(Map.entry(h.getKey(), h.getValue()));
            }
        }
        return kept;
    }

    /**
     * What toolgate itself tells a tool of the agent's connection, when configured: RFC 7239 {@code Forwarded} or
     * {@code X-Forwarded-For}, from the address toolgate saw, never from the agent's own such headers.
     */
    public static List<Map.Entry<String, String>> forwarded(ToolgateConfig.Http.Forwarded mode, String client) {
        if (client == null || client.isEmpty()) {
            return List.of();
        }
        return switch (mode) {
            case NONE -> List.of();
            case FORWARDED -> List.of(Map.entry("Forwarded",
                    "for=" + (client.indexOf(':') >= 0 ? "\"[" + client + "]\"" : client)));
            case X_FORWARDED_FOR -> List.of(Map.entry("X-Forwarded-For", client));
        };
    }

    /** The request headers an MCP server may see (and the trace context, once checked). */
    private static final Set<String> MCP_REQUEST = Set.of("accept", "content-type", "mcp-session-id",
            "mcp-protocol-version", "last-event-id", "mcp-method", "mcp-name", "user-agent");

    /** The answer headers of an MCP server the agent may see. */
    private static final Set<String> MCP_ANSWER = Set.of("content-type", "mcp-session-id", "mcp-protocol-version",
            "cache-control", "allow");

    private UpstreamHeaders() {
    }

    /**
     * An HTTP message's end-to-end headers: without hop-by-hop headers (also those its {@code Connection} header
     * names), credentials, identity assertions and {@code Toolgate-*} headers.
     */
    public static List<Map.Entry<String, String>> endToEnd(List<Map.Entry<String, String>> headers) {
        Set<String> named = new HashSet<>();
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase("connection")) {
                for (String token : h.getValue().split(",")) {
                    named.add(token.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!HeaderNames.HOP_BY_HOP.contains(name) && !HeaderNames.IDENTITY.contains(name) && !named.contains(name)
                    && !name.startsWith("toolgate-")) {
                kept.add(Map.entry(h.getKey(), h.getValue()));
            }
        }
        return kept;
    }

    /**
     * The agent's request headers an MCP server may see, with the agent's trace context when it is well formed (a
     * call's own exchange replaces it with toolgate's span).
     */
    public static List<Map.Entry<String, String>> mcpRequest(Iterable<Map.Entry<String, String>> headers) {
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        String[] trace = new String[2];
        headers.forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (MCP_REQUEST.contains(name)) {
                kept.add(Map.entry(h.getKey(), h.getValue()));
            } else if (name.equals("traceparent")) {
                trace[0] = h.getValue();
            } else if (name.equals("tracestate")) {
                trace[1] = h.getValue();
            }
        });
        kept.addAll(trace(TraceContext.parse(trace[0], trace[1])));
        return kept;
    }

    /** The W3C headers of a trace context: what the tool continues. */
    public static List<Map.Entry<String, String>> trace(Optional<TraceContext> context) {
        if (context.isEmpty()) {
            return List.of();
        }
        TraceContext c = context.get();
        return c.tracestate().isEmpty() ? List.of(Map.entry("traceparent", c.traceparent()))
                : List.of(Map.entry("traceparent", c.traceparent()), Map.entry("tracestate", c.tracestate()));
    }

    /** Whether the agent may see this header of an MCP server's answer. */
    public static boolean mcpAnswer(String name) {
        return MCP_ANSWER.contains(name.toLowerCase(Locale.ROOT));
    }
}
