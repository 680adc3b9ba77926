package dev.toolgate.call;

import java.util.Objects;
import java.util.Optional;

/**
 * One action of a tool: an HTTP method and path template mapped to a stable action name.
 *
 * @param name the action name that grants and policies use, e.g. {@code refunds.create}
 * @param method the HTTP method, upper case
 * @param path the path template below the tool
 * @param schema the argument schema
 * @param cost the estimated cost of one call
 * @param fallback where a call goes when a {@code degrade} budget cannot admit it
 * @param idempotencyKey whether a call must send an {@code Idempotency-Key} (writes that must never run twice)
 */
public record ActionSpec(String name, String method, PathTemplate path, ArgumentSchema schema, CostSpec cost,
        Optional<Fallback> fallback, IdempotencyKey idempotencyKey) {

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
}
