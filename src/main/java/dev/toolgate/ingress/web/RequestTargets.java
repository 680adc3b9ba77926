package dev.toolgate.ingress.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import io.vertx.core.http.HttpServerRequest;

/**
 * The request target as sent, checked before any route reads it: the path starts with {@code /}, and path and query
 * hold only printable ASCII other than a backslash, with every {@code %} starting a two-digit hex escape. What breaks
 * these rules, or is no URI by {@link URI}'s reading, is refused ({@code invalid_arguments}), never repaired, so that
 * no two readers can disagree on it.
 */
final class RequestTargets {

    private RequestTargets() {
    }

    /** What is wrong with the request's path or query, or empty. */
    static Optional<Denial> problem(HttpServerRequest request) {
        String path = request.path();
        if (path == null || !path.startsWith("/")) {
            return refused("the request target must be an absolute path (starting with /)");
        }
        return part(path, "path").or(() -> part(request.query(), "query")).or(() -> uri(request.uri()));
    }

    /**
     * The check Quarkus makes before any route (and answers with an empty 400), made here where the refusal can be a
     * problem document; {@code vertx.disableURIValidation} hands it over (see {@code cli.Main}).
     */
    private static Optional<Denial> uri(String uri) {
        try {
            new URI(uri);
            return Optional.empty();
        } catch (URISyntaxException e) {
            // the exception's message quotes the target: only its reason and place are named
            return refused("the request target is not a valid URI: " + e.getReason() + " at " + e.getIndex());
        }
    }

    private static Optional<Denial> part(String text, String name) {
        if (text == null) {
            return Optional.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                return refused("the " + name + " has a backslash: send / or %5C");
            }
            if (c <= 0x20 || c >= 0x7F) {
                return refused("the " + name + " has a character that must be percent-encoded (at " + i + ")");
            }
            if (c == '%' && (i + 2 >= text.length() || !hex(text.charAt(i + 1)) || !hex(text.charAt(i + 2)))) {
                return refused("the " + name + " has a malformed percent-escape (at " + i + ")");
            }
        }
        return Optional.empty();
    }

    private static boolean hex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static Optional<Denial> refused(String detail) {
        return Optional.of(Denial.of(Reason.INVALID_ARGUMENTS, detail));
    }
}
