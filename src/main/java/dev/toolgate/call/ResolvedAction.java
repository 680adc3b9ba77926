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
 * @param payloadSha256 hex SHA-256 of the canonical JSON of {@code {"tool", "action", "args", "tenant"}}: what an
 *        approval is bound to and an idempotency key remembers; computed once per call
 * @param degradedFrom the action the agent called, when an over-budget {@code degrade} put this fallback in its
 *        place; empty otherwise
 */
public record ResolvedAction(ToolSpec tool, ActionSpec action, ObjectNode args, String argsSha256,
        String payloadSha256, Optional<String> degradedFrom) {

    public ResolvedAction {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(argsSha256, "argsSha256");
        Objects.requireNonNull(payloadSha256, "payloadSha256");
        Objects.requireNonNull(degradedFrom, "degradedFrom");
    }

    /** Resolves a call of {@code action} for {@code tenant}, hashing its arguments and its payload once. */
    public static ResolvedAction of(ToolSpec tool, ActionSpec action, ObjectNode args, String tenant) {
        return new ResolvedAction(tool, action, args, CanonicalJson.sha256(args),
                payloadSha256(tool.name(), action.name(), args, tenant), Optional.empty());
    }

    /** The same arguments sent to another action in place of this one (an over-budget {@code degrade}). */
    public ResolvedAction degradedTo(ToolSpec otherTool, ActionSpec otherAction, String tenant) {
        return new ResolvedAction(otherTool, otherAction, args, argsSha256,
                payloadSha256(otherTool.name(), otherAction.name(), args, tenant), Optional.of(action.name()));
    }

    /** SHA-256 of the RFC 8785 form of {@code {"action", "args", "tenant", "tool"}}. */
    public static String payloadSha256(String tool, String action, ObjectNode args, String tenant) {
        ObjectNode payload = args.objectNode();
        payload.put("tool", tool);
        payload.put("action", action);
        payload.set("args", args);
        payload.put("tenant", tenant);
        return CanonicalJson.sha256(payload);
    }

    @Override
    public String toString() {
        return "ResolvedAction[" + tool.name() + "/" + action.name() + ", args sha256 " + argsSha256 + "]";
    }
}
