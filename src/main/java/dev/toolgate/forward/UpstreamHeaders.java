package dev.toolgate.forward;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross toolgate, in one place for every protocol. Credentials, identity assertions and toolgate's own
 * headers never reach a tool (the tool trusts toolgate, not the agent); hop-by-hop headers never cross a proxy; an MCP
 * server sees only the headers MCP needs, and the agent only those of its answer MCP defines.
 */
public final class UpstreamHeaders {

    /** RFC 9110 §7.6.1 hop-by-hop headers, plus those a proxy must not pass on. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization", "host",
            "content-length", "expect");

    /** Credentials and identity assertions. */
    private static final Set<String> IDENTITY = Set.of("authorization", "cookie", "x-api-key", "x-forwarded-user",
            "x-remote-user", "x-auth-request-user", "x-forwarded-email", "x-client-cert", "x-forwarded-client-cert");

    /** The request headers an MCP server may see. */
    private static final Set<String> MCP_REQUEST = Set.of("accept", "content-type", "mcp-session-id",
            "mcp-protocol-version", "last-event-id", "traceparent", "tracestate", "mcp-method", "mcp-name",
            "user-agent");

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
            if (!HOP_BY_HOP.contains(name) && !IDENTITY.contains(name) && !named.contains(name)
                    && !name.startsWith("toolgate-")) {
                kept.add(Map.entry(h.getKey(), h.getValue()));
            }
        }
        return kept;
    }

    /** The agent's request headers an MCP server may see. */
    public static List<Map.Entry<String, String>> mcpRequest(Iterable<Map.Entry<String, String>> headers) {
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        headers.forEach(h -> {
            if (MCP_REQUEST.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                kept.add(Map.entry(h.getKey(), h.getValue()));
            }
        });
        return kept;
    }

    /** Whether the agent may see this header of an MCP server's answer. */
    public static boolean mcpAnswer(String name) {
        return MCP_ANSWER.contains(name.toLowerCase(Locale.ROOT));
    }
}
