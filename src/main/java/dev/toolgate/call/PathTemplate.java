package dev.toolgate.call;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

    /**
     * The raw path this template names for {@code args}: each variable the string argument of its name, percent-encoded
     * as one segment (so a {@code /} in it is {@code %2F}, which the contract stage then refuses like any encoded
     * separator). Empty when a variable has no non-empty string argument.
     */
    public Optional<String> expand(ObjectNode args) {
        StringBuilder path = new StringBuilder();
        for (String segment : segments) {
            path.append('/');
            if (segment.startsWith("{") && segment.endsWith("}")) {
                JsonNode value = args.get(segment.substring(1, segment.length() - 1));
                if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
                    return Optional.empty();
                }
                path.append(URLEncoder.encode(value.textValue(), StandardCharsets.UTF_8).replace("+", "%20"));
            } else {
                path.append(segment);
            }
        }
        return Optional.of(path.toString());
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
