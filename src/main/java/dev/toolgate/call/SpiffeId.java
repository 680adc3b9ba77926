package dev.toolgate.call;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * SPIFFE IDs ({@code spiffe://trust-domain/path}) as the SPIFFE ID specification writes them: a lower-case trust domain
 * of letters, digits, {@code .}, {@code -} and {@code _}; a path of non-empty segments of letters, digits, {@code .},
 * {@code -} and {@code _}, none of them {@code .} or {@code ..}, without a trailing slash; no port, user, query or
 * fragment; at most 2,048 bytes. Anything else is not a SPIFFE ID, so it never matches one.
 */
public final class SpiffeId {

    private static final Pattern FORM = Pattern.compile("spiffe://[a-z0-9._-]+(/[A-Za-z0-9._-]+)+");
    private static final int MAX_BYTES = 2048;

    private SpiffeId() {
    }

    /** Whether {@code id} is a SPIFFE ID with a path (a workload's, not a bare trust domain). */
    public static boolean valid(String id) {
        if (id == null || id.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES || !FORM.matcher(id).matches()) {
            return false;
        }
        for (String segment : id.substring("spiffe://".length()).split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** The trust domain of a {@link #valid} SPIFFE ID. */
    public static String trustDomain(String id) {
        String rest = id.substring("spiffe://".length());
        return rest.substring(0, rest.indexOf('/'));
    }
}
