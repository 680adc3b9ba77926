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
 * @param role what calling the action does: every action the contract names is a {@link Role#TOOL}; the other roles
 *        are the MCP methods besides {@code tools/call} that the contract stage resolves (see {@link #mcpMethod})
 */
public record ActionSpec(String name, String method, PathTemplate path, ArgumentSchema schema, CostSpec cost,
        Optional<Fallback> fallback, IdempotencyKey idempotencyKey, Role role) {

    /** The JSON-RPC method of every MCP action: a call of one of the server's tools. */
    public static final String MCP_METHOD = "tools/call";
    /** The invocation method of a gRPC call: its path is the full method name, {@code package.Service/Method}. */
    public static final String GRPC_METHOD = "grpc";

    /** Whether an action's calls must carry an {@code Idempotency-Key}. */
    public enum IdempotencyKey {
        OPTIONAL,
        REQUIRED
    }

    /** What calling an action does, which decides the rules that apply beyond grants, kill switches and policy. */
    public enum Role {
        /** An action of the tool: it may act on the world, so irreversibility raises its approval tier. */
        TOOL,
        /**
         * Reading what an MCP server offers besides its tools (resources, prompts, completions): granted by
         * {@code resources/*} or {@code prompts/*}, counted by the rate limits that select it.
         */
        READ,
        /**
         * Keeping an MCP session going (initialize, ping, listing tools, notifications, the server's stream, answers
         * to the server's requests, ending the session): granted with the server, counted by no limit.
         */
        SESSION
    }

    public ActionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(fallback, "fallback");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(role, "role");
    }

    /** An action of the contract whose calls may have to send an {@code Idempotency-Key}. */
    public ActionSpec(String name, String method, PathTemplate path, ArgumentSchema schema, CostSpec cost,
            Optional<Fallback> fallback, IdempotencyKey idempotencyKey) {
        this(name, method, path, schema, cost, fallback, idempotencyKey, Role.TOOL);
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

    /**
     * An MCP method other than {@value #MCP_METHOD} as the contract stage resolves it: named by the method, any
     * arguments (the server checks its own), free, no fallback.
     */
    public static ActionSpec mcpMethod(String method, Role role) {
        if (role == Role.TOOL) {
            throw new IllegalArgumentException("an MCP method is not a tool of the contract");
        }
        return new ActionSpec(method, method, new PathTemplate("/", List.of("")), args -> List.of(), CostSpec.FREE,
                Optional.empty(), IdempotencyKey.OPTIONAL, role);
    }

    /** One method of a gRPC tool, named by its full name {@code package.Service/Method}. */
    public static ActionSpec grpc(String name, ArgumentSchema schema, CostSpec cost, IdempotencyKey idempotencyKey) {
        return new ActionSpec(name, GRPC_METHOD, new PathTemplate("/" + name, List.of(name)), schema, cost,
                Optional.empty(), idempotencyKey);
    }

    /** One tool of an MCP server, named {@code name} exactly as the server names it. */
    public static ActionSpec mcp(String name, ArgumentSchema schema, CostSpec cost, Optional<Fallback> fallback,
            IdempotencyKey idempotencyKey) {
        return new ActionSpec(name, MCP_METHOD, new PathTemplate("/" + name, List.of(name)), schema, cost, fallback,
                idempotencyKey);
    }
}
