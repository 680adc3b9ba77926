package dev.toolgate.call;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which request headers may never travel from an agent to a tool, whatever a contract says: the contract loader
 * refuses a tool that names one, and the forwarder never sends one.
 */
public final class HeaderNames {

    /** RFC 9110 §7.6.1 hop-by-hop headers, plus those a proxy must not pass on. */
    public static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization", "host",
            "content-length", "expect");

    /** Credentials and identity assertions. */
    public static final Set<String> IDENTITY = Set.of("authorization", "cookie", "x-api-key", "x-forwarded-user",
            "x-remote-user", "x-auth-request-user", "x-forwarded-email", "x-client-cert", "x-forwarded-client-cert");

    /** Headers a contract may never let through: they speak for the caller, the proxy, or another request. */
    private static final Set<String> NEVER = Set.of("forwarded", "x-real-ip", "x-client-ip", "true-client-ip",
            "x-original-url", "x-original-uri", "x-rewrite-url", "x-http-method-override", "x-http-method",
            "x-method-override", "x-forwarded-access-token", "x-amzn-oidc-data", "x-ms-client-principal");

    /** Prefixes of the same families ({@code x-forwarded-host}, {@code x-auth-request-email}, ...). */
    private static final List<String> NEVER_PREFIXES = List.of("x-forwarded-", "x-auth-request-", "x-original-",
            "toolgate-", "proxy-");

    /**
     * Why a tool's contract may not name this header, or null when it may: credentials, identity assertions,
     * proxy, forwarding and override headers, hop-by-hop headers and toolgate's own are never forwarded.
     */
    public static String neverForwarded(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (IDENTITY.contains(lower)) {
            return "a credential or identity assertion";
        }
        if (HOP_BY_HOP.contains(lower)) {
            return "a hop-by-hop header";
        }
        if (NEVER.contains(lower) || NEVER_PREFIXES.stream().anyMatch(lower::startsWith)) {
            return "a proxy, forwarding or override header";
        }
        return null;
    }

    private HeaderNames() {
    }
}
