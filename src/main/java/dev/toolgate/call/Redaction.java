package dev.toolgate.call;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Removes the arguments a policy named in its {@code redact} obligation. Each entry is a JSON pointer (RFC 6901), or,
 * without a leading {@code /}, the name of a top-level member; paths that do not exist are ignored.
 * <p>
 * The arguments are never mutated: containers on a redacted path are copied, everything else is shared with the
 * original (which nobody mutates either), so a large body costs no deep copy.
 */
public final class Redaction {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Redaction() {
    }

    public static ObjectNode apply(ObjectNode args, List<String> redact) {
        return replace(args, redact, null);
    }

    /**
     * The arguments with each value on a redacted path replaced by what {@code replacement} makes of it (a keyed hash:
     * the same value gives the same replacement, so equality between redacted values survives). An array element is
     * replaced in place as well.
     */
    public static ObjectNode hash(ObjectNode args, List<String> redact, UnaryOperator<JsonNode> replacement) {
        return replace(args, redact, java.util.Objects.requireNonNull(replacement, "replacement"));
    }

    /** @param replacement what a redacted value becomes; null to remove it (an array element becomes null) */
    private static ObjectNode replace(ObjectNode args, List<String> redact, UnaryOperator<JsonNode> replacement) {
        Set<JsonNode> copies = Collections.newSetFromMap(new IdentityHashMap<>());
        ObjectNode root = NODES.objectNode().setAll(args);
        copies.add(root);
        for (String entry : redact) {
            remove(root, tokens(entry), copies, replacement);
        }
        return root;
    }

    private static List<String> tokens(String entry) {
        if (!entry.startsWith("/")) {
            return List.of(entry);
        }
        List<String> tokens = new ArrayList<>();
        for (String token : entry.substring(1).split("/", -1)) {
            tokens.add(token.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    private static void remove(ObjectNode root, List<String> tokens, Set<JsonNode> copies,
            UnaryOperator<JsonNode> replacement) {
        JsonNode node = root;
        for (int i = 0; i < tokens.size() - 1; i++) {
            JsonNode child = child(node, tokens.get(i));
            if (child == null || !child.isContainerNode()) {
                return;
            }
            if (!copies.contains(child)) {
                child = shallowCopy(child);
                copies.add(child);
                replace(node, tokens.get(i), child);
            }
            node = child;
        }
        String last = tokens.get(tokens.size() - 1);
        if (node instanceof ObjectNode object && object.has(last)) {
            if (replacement == null) {
                object.remove(last);
            } else {
                object.set(last, replacement.apply(object.get(last)));
            }
        } else if (node instanceof ArrayNode array && index(array, last) >= 0) {
            // replaced, not removed: removing would shift the indices other entries of the same obligation point at
            int at = index(array, last);
            array.set(at, replacement == null ? NullNode.getInstance() : replacement.apply(array.get(at)));
        }
    }

    private static JsonNode child(JsonNode node, String token) {
        if (node instanceof ObjectNode object) {
            return object.get(token);
        }
        int index = index(node, token);
        return index >= 0 ? node.get(index) : null;
    }

    private static void replace(JsonNode parent, String token, JsonNode child) {
        if (parent instanceof ObjectNode object) {
            object.set(token, child);
        } else {
            ((ArrayNode) parent).set(index(parent, token), child);
        }
    }

    /** The array index a token names, or -1 when it names none (RFC 6901: no leading zeros, no sign). */
    private static int index(JsonNode array, String token) {
        if (!token.matches("0|[1-9][0-9]{0,8}")) {
            return -1;
        }
        int index = Integer.parseInt(token);
        return index < array.size() ? index : -1;
    }

    private static JsonNode shallowCopy(JsonNode container) {
        if (container instanceof ObjectNode object) {
            return NODES.objectNode().setAll(object);
        }
        return NODES.arrayNode().addAll((ArrayNode) container);
    }
}
