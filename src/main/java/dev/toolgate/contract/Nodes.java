package dev.toolgate.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed access to the contract's tree; every mismatch becomes a problem at the value's path. */
final class Nodes {

    /** Agent, tool and action names. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    private final Problems problems;

    Nodes(Problems problems) {
        this.problems = problems;
    }

    /** Whether the node is a mapping (of any keys); reports it when not. */
    boolean mapping(JsonNode node, String path) {
        if (!node.isObject()) {
            problems.add(path, "must be a mapping");
            return false;
        }
        return true;
    }

    /** Whether the node is a mapping; reports each key that is not one of {@code known}. */
    boolean mapping(JsonNode node, String path, List<String> known) {
        if (!mapping(node, path)) {
            return false;
        }
        for (Map.Entry<String, JsonNode> member : node.properties()) {
            if (!known.contains(member.getKey())) {
                problems.add(Problems.key(path, member.getKey()),
                        "unknown key (known: " + String.join(", ", known) + ")");
            }
        }
        return true;
    }

    /** A member's value; {@code null} counts as absent. */
    Optional<JsonNode> member(JsonNode mapping, String path, String key, boolean required) {
        JsonNode value = mapping.get(key);
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(Problems.key(path, key), "is required");
            }
            return Optional.empty();
        }
        return Optional.of(value);
    }

    /** A non-empty string member. */
    Optional<String> string(JsonNode mapping, String path, String key, boolean required) {
        return member(mapping, path, key, required).flatMap(v -> string(v, Problems.key(path, key)));
    }

    /** A non-empty string value. */
    Optional<String> string(JsonNode value, String path) {
        if (!value.isTextual()) {
            problems.add(path, "must be a string");
            return Optional.empty();
        }
        if (value.textValue().isEmpty()) {
            problems.add(path, "must not be empty");
            return Optional.empty();
        }
        return Optional.of(value.textValue());
    }

    Optional<Boolean> bool(JsonNode mapping, String path, String key, boolean required) {
        Optional<JsonNode> value = member(mapping, path, key, required);
        if (value.isPresent() && !value.get().isBoolean()) {
            problems.add(Problems.key(path, key), "must be true or false");
            return Optional.empty();
        }
        return value.map(JsonNode::booleanValue);
    }

    /** An optional list member; a wrong type is reported and reads as absent. */
    Optional<JsonNode> list(JsonNode mapping, String path, String key, boolean required) {
        Optional<JsonNode> value = member(mapping, path, key, required);
        if (value.isPresent() && !value.get().isArray()) {
            problems.add(Problems.key(path, key), "must be a list");
            return Optional.empty();
        }
        return value;
    }

    /** An optional list of non-empty strings; empty when absent. */
    List<String> strings(JsonNode mapping, String path, String key) {
        List<String> strings = new ArrayList<>();
        list(mapping, path, key, false).ifPresent(list -> {
            for (int i = 0; i < list.size(); i++) {
                string(list.get(i), Problems.index(Problems.key(path, key), i)).ifPresent(strings::add);
            }
        });
        return strings;
    }

    /** Whether the name is acceptable as an agent, tool or action name; reports it when not. */
    boolean name(String name, String path) {
        if (!NAME.matcher(name).matches()) {
            problems.add(path, "must match " + NAME.pattern());
            return false;
        }
        return true;
    }
}
