package dev.toolgate.call;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the agent asked the tool to do, before the contract stage has resolved it into an action.
 *
 * @param method the operation verb (an HTTP method; {@code tools/call} for MCP)
 * @param path the raw, still percent-encoded path below the tool (HTTP), or the tool's own name (MCP)
 * @param query query parameters in order, decoded; empty when none
 * @param body the raw body, or an empty array; JSON when not empty
 * @param declaredSchema the schema the tool itself declares for these arguments (an MCP server's
 *        {@code inputSchema}), checked besides the contract's; empty when the tool declares none or it is not known
 */
public record Invocation(String method, String path, Map<String, List<String>> query, byte[] body,
        Optional<ArgumentSchema> declaredSchema) {

    public Invocation {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = Map.copyOf(query);
        body = body == null ? new byte[0] : body;
        Objects.requireNonNull(declaredSchema, "declaredSchema");
    }

    /** An invocation of a tool that declares no schema of its own. */
    public Invocation(String method, String path, Map<String, List<String>> query, byte[] body) {
        this(method, path, query, body, Optional.empty());
    }

    @Override
    public String toString() {
        return "Invocation[" + method + " " + path + ", " + body.length + " body bytes]";
    }
}
