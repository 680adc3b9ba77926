package dev.toolgate.contract;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.StrictJson;

/**
 * Builds an action's arguments from its three sources: path variables, query parameters and body members. Each name
 * has exactly one source; the body must be one JSON object, read by {@link StrictJson}. Denial details name members
 * and sources, never values.
 */
final class Arguments {

    /** Deeper bodies are refused: no action's arguments need them, and every layer costs stack in validation. */
    static final int MAX_DEPTH = StrictJson.MAX_DEPTH;

    /** The arguments, or why there are none. */
    sealed interface Built {
        record Args(ObjectNode args) implements Built {
        }

        record Refused(Denial denial) implements Built {
        }
    }

    private Arguments() {
    }

    static Built build(Map<String, String> pathVariables, Map<String, List<String>> query, byte[] body) {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        Map<String, String> sources = new HashMap<>();
        pathVariables.forEach((name, value) -> {
            args.put(name, value);
            sources.put(name, "path");
        });
        for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
            String name = parameter.getKey();
            if (sources.containsKey(name)) {
                return collision(name, sources.get(name), "query");
            }
            List<String> values = parameter.getValue();
            if (values.size() == 1) {
                args.put(name, values.get(0));
            } else {
                ArrayNode array = args.putArray(name);
                values.forEach(array::add);
            }
            sources.put(name, "query");
        }
        if (body.length == 0) {
            return new Built.Args(args);
        }
        JsonNode members;
        switch (StrictJson.STANDARD.read(body, "the body")) {
            case StrictJson.Read.Refused r -> {
                return new Built.Refused(r.denial());
            }
            case StrictJson.Read.Ok ok -> members = ok.node();
        }
        if (!members.isObject()) {
            return refused("the body must be a JSON object");
        }
        for (Map.Entry<String, JsonNode> member : members.properties()) {
            if (sources.containsKey(member.getKey())) {
                return collision(member.getKey(), sources.get(member.getKey()), "body");
            }
            args.set(member.getKey(), member.getValue());
        }
        return new Built.Args(args);
    }

    private static Built collision(String name, String first, String second) {
        return refused("argument \"" + name + "\" is given both in the " + first + " and in the " + second);
    }

    private static Built refused(String detail) {
        return new Built.Refused(Denial.of(Reason.INVALID_ARGUMENTS, detail));
    }
}
