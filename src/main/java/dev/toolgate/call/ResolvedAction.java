package dev.toolgate.call;

import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the contract stage made of an invocation: the tool and action it names, and its arguments.
 *
 * @param tool the tool
 * @param action the action of the tool
 * @param args the arguments (path variables, query parameters and body members), never mutated
 * @param argsSha256 hex SHA-256 of the canonical (RFC 8785) JSON of {@code args}, computed once per call
 * @param degradedFrom the action the agent called, when an over-budget {@code degrade} put this fallback in its
 *        place; empty otherwise
 */
public record ResolvedAction(ToolSpec tool, ActionSpec action, ObjectNode args, String argsSha256,
        Optional<String> degradedFrom) {

    public ResolvedAction {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(argsSha256, "argsSha256");
        Objects.requireNonNull(degradedFrom, "degradedFrom");
    }

    public ResolvedAction(ToolSpec tool, ActionSpec action, ObjectNode args, String argsSha256) {
        this(tool, action, args, argsSha256, Optional.empty());
    }

    @Override
    public String toString() {
        return "ResolvedAction[" + tool.name() + "/" + action.name() + ", args sha256 " + argsSha256 + "]";
    }
}
