package dev.toolgate.call;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An action's path template such as {@code /charges/{id}}: literal segments and whole-segment variables. A variable
 * matches exactly one non-empty segment, so a template never matches across a {@code /}.
 */
public record PathTemplate(String template, List<String> segments) {

    public PathTemplate {
        segments = List.copyOf(segments);
    }

    /** Parses a template; the caller has validated it with {@link #problem(String)}. */
    public static PathTemplate parse(String template) {
        return new PathTemplate(template, List.of(template.substring(1).split("/", -1)));
    }

    /** Why a template is not acceptable, or empty when it is. */
    public static Optional<String> problem(String template) {
        if (template == null || !template.startsWith("/")) {
            return Optional.of("must start with \"/\"");
        }
        for (String segment : template.substring(1).split("/", -1)) {
            if (segment.isEmpty() && template.length() > 1) {
                return Optional.of("has an empty segment");
            }
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("has a dot segment");
            }
            boolean variable = segment.startsWith("{") && segment.endsWith("}");
            if (variable && !segment.substring(1, segment.length() - 1).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                return Optional.of("has a bad variable " + segment);
            }
            if (!variable && (segment.contains("{") || segment.contains("}") || segment.contains("%"))) {
                return Optional.of("segment \"" + segment + "\" must be a literal or a whole {variable}");
            }
        }
        return Optional.empty();
    }

    /** The variables of a decoded path's segments when they match, else empty. */
    public Optional<Map<String, String>> match(List<String> pathSegments) {
        if (pathSegments.size() != segments.size()) {
            return Optional.empty();
        }
        Map<String, String> variables = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String expected = segments.get(i);
            String actual = pathSegments.get(i);
            if (expected.startsWith("{")) {
                if (actual.isEmpty()) {
                    return Optional.empty();
                }
                variables.put(expected.substring(1, expected.length() - 1), actual);
            } else if (!expected.equals(actual)) {
                return Optional.empty();
            }
        }
        return Optional.of(variables);
    }
}
