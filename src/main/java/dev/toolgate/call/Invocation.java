package dev.toolgate.call;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the agent asked the tool to do, before the contract stage has resolved it into an action.
 *
 * @param method the operation verb (an HTTP method; {@code tools/call} for MCP)
 * @param path the raw, still percent-encoded path below the tool (HTTP), or the tool's own name (MCP)
 * @param query query parameters in order, decoded; empty when none
 * @param body the raw body, or an empty array; JSON when not empty
 */
public record Invocation(String method, String path, Map<String, List<String>> query, byte[] body) {

    public Invocation {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        // the order of the parameters is kept: a query is forwarded re-encoded from these values, in this order
        Map<String, List<String>> ordered = new java.util.LinkedHashMap<>();
        query.forEach((name, values) -> ordered.put(name, List.copyOf(values)));
        query = java.util.Collections.unmodifiableMap(ordered);
        body = body == null ? new byte[0] : body;
    }

    @Override
    public String toString() {
        return "Invocation[" + method + " " + path + ", " + body.length + " body bytes]";
    }
}
