package dev.toolgate.call;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One action of a tool: a route mapped to a stable action name. For an HTTP tool the route is an HTTP method and a
 * path template below the upstream. For an MCP tool ({@link ToolSpec.Kind#MCP}) it is the JSON-RPC method
 * {@value #MCP_METHOD} and a one-segment literal template of the MCP tool name (see {@link #mcp}); the name alone
 * identifies the action, and only an MCP upstream may ever be handed such an action.
 *
 * @param name the action name that grants and policies use, e.g. {@code refunds.create}; for an MCP tool, the MCP
 *        tool name, exactly as the server names it
 * @param method the HTTP method, upper case; {@value #MCP_METHOD} for an MCP tool
 * @param path the path template below the tool; {@code /NAME} for an MCP tool
 * @param schema the argument schema
 * @param cost the estimated cost of one call
 * @param fallback where a call goes when a {@code degrade} budget cannot admit it
 * @param idempotencyKey whether a call must send an {@code Idempotency-Key} (writes that must never run twice)
 */
public record ActionSpec(String name, String method, PathTemplate path, ArgumentSchema schema, CostSpec cost,
        Optional<Fallback> fallback, IdempotencyKey idempotencyKey) {

    /** The JSON-RPC method of every MCP action: a call of one of the server's tools. */
    public static final String MCP_METHOD = "tools/call";

    /** Whether an action's calls must carry an {@code Idempotency-Key}. */
    public enum IdempotencyKey {
        OPTIONAL,
        REQUIRED
    }

    public ActionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(fallback, "fallback");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    }

    /** An action whose calls may omit an {@code Idempotency-Key}. */
    public ActionSpec(String name, String method, PathTemplate path, ArgumentSchema schema, CostSpec cost,
            Optional<Fallback> fallback) {
        this(name, method, path, schema, cost, fallback, IdempotencyKey.OPTIONAL);
    }

    /** An action that costs nothing and has no fallback. */
    public ActionSpec(String name, String method, PathTemplate path, ArgumentSchema schema) {
        this(name, method, path, schema, CostSpec.FREE, Optional.empty(), IdempotencyKey.OPTIONAL);
    }

    /** One tool of an MCP server, named {@code name} exactly as the server names it. */
    public static ActionSpec mcp(String name, ArgumentSchema schema, CostSpec cost, Optional<Fallback> fallback,
            IdempotencyKey idempotencyKey) {
        return new ActionSpec(name, MCP_METHOD, new PathTemplate("/" + name, List.of(name)), schema, cost, fallback,
                idempotencyKey);
    }
}
