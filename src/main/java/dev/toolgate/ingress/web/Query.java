package dev.toolgate.ingress.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Strict parsing of a query string: malformed percent-encoding is refused, not guessed at. */
public final class Query {

    private Query() {
    }

    /** The parameters in order, or empty when the query is malformed. */
    public static Optional<Map<String, List<String>>> parse(String raw) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return Optional.of(params);
        }
        try {
            for (String pair : raw.split("&", -1)) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (name.isEmpty()) {
                    return Optional.empty();
                }
                params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
        return Optional.of(params);
    }

    private static String decode(String s) {
        String decoded = URLDecoder.decode(s, StandardCharsets.UTF_8);
        if (decoded.indexOf('\uFFFD') >= 0 || decoded.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
            throw new IllegalArgumentException("not valid UTF-8 text");
        }
        return decoded;
    }
}
