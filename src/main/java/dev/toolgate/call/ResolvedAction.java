package dev.toolgate.call;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

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
 */
public record ResolvedAction(ToolSpec tool, ActionSpec action, ObjectNode args, String argsSha256,
        String payloadSha256) {

    public ResolvedAction {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(argsSha256, "argsSha256");
        Objects.requireNonNull(payloadSha256, "payloadSha256");
    }

    /** Resolves a call of {@code action} for {@code tenant}, hashing its arguments and its payload once. */
    public static ResolvedAction of(ToolSpec tool, ActionSpec action, ObjectNode args, String tenant) {
        // the arguments are canonicalised once; the payload's canonical form is built around that text
        String canonicalArgs = CanonicalJson.write(args);
        return new ResolvedAction(tool, action, args,
                CanonicalJson.sha256Hex(canonicalArgs.getBytes(StandardCharsets.UTF_8)),
                payloadSha256(tool.name(), action.name(), canonicalArgs, tenant));
    }

    /** SHA-256 of the RFC 8785 form of {@code {"action", "args", "tenant", "tool"}}. */
    public static String payloadSha256(String tool, String action, ObjectNode args, String tenant) {
        return payloadSha256(tool, action, CanonicalJson.write(args), tenant);
    }

    /**
     * The same from the arguments' canonical text: RFC 8785 sorts the members {@code action < args < tenant < tool},
     * so the canonical payload is that text with the three strings around it.
     */
    static String payloadSha256(String tool, String action, String canonicalArgs, String tenant) {
        String canonical = "{\"action\":" + CanonicalJson.quote(action) + ",\"args\":" + canonicalArgs
                + ",\"tenant\":" + CanonicalJson.quote(tenant) + ",\"tool\":" + CanonicalJson.quote(tool) + "}";
        return CanonicalJson.sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "ResolvedAction[" + tool.name() + "/" + action.name() + ", args sha256 " + argsSha256 + "]";
    }
}
