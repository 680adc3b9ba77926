package dev.toolgate.ingress.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.PathTemplate;

/** Builds the path of an action from its template and the call's arguments (for a {@code degrade} fallback). */
final class Targets {

    private Targets() {
    }

    /** The path, each variable percent-encoded as one segment; empty when a variable has no string argument. */
    static Optional<String> path(PathTemplate template, ObjectNode args) {
        StringBuilder path = new StringBuilder();
        for (String segment : template.segments()) {
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
        return Optional.of(path.isEmpty() ? "/" : path.toString());
    }
}
