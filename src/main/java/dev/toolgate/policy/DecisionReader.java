package dev.toolgate.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.ApprovalTier;
import dev.toolgate.call.Decision;

/**
 * Reads the value of the {@code toolgate/decision} entrypoint into a {@link Decision}:
 *
 * <pre>
 * {"allow": bool, "reasons": [string], "approval": "none" | "required" | "dual", "obligations": {"redact": [string]}}
 * </pre>
 *
 * {@code allow} is required; {@code reasons}, {@code approval}, {@code obligations} and {@code obligations.redact} may
 * be left out (no reasons, tier {@code none}, nothing to redact). Anything else (an undefined decision, a value that is
 * not an object, a member of the wrong type, an unknown approval tier) is malformed, and a malformed decision is never
 * an allow. Members toolgate does not know are ignored, so policies can carry more.
 */
public final class DecisionReader {

    private DecisionReader() {
    }

    /** What the reader made of a decision. */
    public sealed interface Result {

        /** A well-formed decision. */
        record Valid(Decision decision) implements Result {
            public Valid {
                Objects.requireNonNull(decision, "decision");
            }
        }

        /**
         * A decision toolgate cannot act on.
         *
         * @param problem what is wrong, naming the member and its JSON type but never its value
         */
        record Malformed(String problem) implements Result {
            public Malformed {
                Objects.requireNonNull(problem, "problem");
            }
        }
    }

    /**
     * Reads a decision.
     *
     * @param result the entrypoint's value; {@code null} or missing when the decision was undefined
     * @param revision the revision of the bundle that decided
     */
    public static Result read(JsonNode result, String revision) {
        if (result == null || result.isMissingNode()) {
            return new Result.Malformed("the decision is undefined");
        }
        if (!result.isObject()) {
            return new Result.Malformed("the decision is " + type(result) + ", not an object");
        }
        JsonNode allow = result.path("allow");
        if (!allow.isBoolean()) {
            return new Result.Malformed(allow.isMissingNode() ? "allow is missing"
                    : "allow is " + type(allow) + ", not a boolean");
        }
        Optional<List<String>> reasons = strings(result.path("reasons"));
        if (reasons.isEmpty()) {
            return new Result.Malformed("reasons is " + describe(result.path("reasons")) + ", not an array of strings");
        }
        JsonNode approvalNode = result.path("approval");
        Optional<ApprovalTier> approval = approvalNode.isMissingNode() ? Optional.of(ApprovalTier.NONE)
                : approvalNode.isTextual() ? ApprovalTier.parse(approvalNode.textValue()) : Optional.empty();
        if (approval.isEmpty()) {
            return new Result.Malformed(approvalNode.isTextual() ? "approval is not one of none, required, dual"
                    : "approval is " + type(approvalNode) + ", not a string");
        }
        JsonNode obligations = result.path("obligations");
        if (!obligations.isMissingNode() && !obligations.isObject()) {
            return new Result.Malformed("obligations is " + type(obligations) + ", not an object");
        }
        Optional<List<String>> redact = strings(obligations.path("redact"));
        if (redact.isEmpty()) {
            return new Result.Malformed("obligations.redact is " + describe(obligations.path("redact"))
                    + ", not an array of strings");
        }
        return new Result.Valid(new Decision(allow.booleanValue(), reasons.get(), approval.get(), redact.get(),
                revision));
    }

    /** The strings of an array member; an empty list when it is missing; empty when it is anything else. */
    private static Optional<List<String>> strings(JsonNode node) {
        if (node.isMissingNode()) {
            return Optional.of(List.of());
        }
        if (!node.isArray()) {
            return Optional.empty();
        }
        List<String> values = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                return Optional.empty();
            }
            values.add(element.textValue());
        }
        return Optional.of(values);
    }

    private static String describe(JsonNode node) {
        return node.isArray() ? "an array with a non-string element" : type(node);
    }

    private static String type(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "undefined";
        };
    }
}
