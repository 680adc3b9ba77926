package dev.toolgate.call;

import java.util.Objects;

/**
 * One action of a tool: an HTTP method and path template mapped to a stable action name.
 *
 * @param name the action name that grants and policies use, e.g. {@code refunds.create}
 * @param method the HTTP method, upper case
 * @param path the path template below the tool
 * @param schema the argument schema
 */
public record ActionSpec(String name, String method, PathTemplate path, ArgumentSchema schema) {

    public ActionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(schema, "schema");
    }
}
