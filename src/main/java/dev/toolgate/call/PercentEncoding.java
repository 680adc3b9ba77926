package dev.toolgate.call;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Percent-encoding of what toolgate sends on: every byte of the UTF-8 form but the RFC 3986 unreserved characters
 * ({@code A-Z a-z 0-9 - . _ ~}) is escaped, so that a path segment or query value can only be read one way, whatever
 * the tool's parser (no {@code ;} parameters, no {@code +} for space, no encoded separators that a decoder undoes).
 */
public final class PercentEncoding {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PercentEncoding() {
    }

    /** One value (a path segment, a query name or value), escaped. */
    public static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /** A path of decoded segments: {@code /} and each segment escaped; no segments is {@code /}. */
    public static String path(List<String> segments) {
        StringBuilder out = new StringBuilder();
        for (String segment : segments) {
            out.append('/').append(encode(segment));
        }
        return out.isEmpty() ? "/" : out.toString();
    }

    /** A query of decoded parameters, in their order, each value as {@code name=value}; empty for none. */
    public static String query(Map<String, List<String>> parameters) {
        StringBuilder out = new StringBuilder();
        parameters.forEach((name, values) -> values.forEach(value -> {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(encode(name)).append('=').append(encode(value));
        }));
        return out.toString();
    }
}
