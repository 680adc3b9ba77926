package dev.toolgate.contract;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;

/**
 * Builds an action's arguments from its three sources: path variables, query parameters and body members. Each name
 * has exactly one source; the body must be one JSON object without duplicate members. Denial details name members
 * and sources, never values.
 */
final class Arguments {

    /** Deeper bodies are refused: no action's arguments need them, and every layer costs stack in validation. */
    static final int MAX_DEPTH = 64;

    private static final ObjectMapper BODY = JsonMapper.builder(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

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
        try {
            members = BODY.readTree(body);
        } catch (IOException e) {
            return refused(unreadable(e));
        }
        if (members == null || !members.isObject()) {
            return refused("the body must be a JSON object");
        }
        for (Map.Entry<String, JsonNode> member : members.properties()) {
            if (sources.containsKey(member.getKey())) {
                return collision(member.getKey(), sources.get(member.getKey()), "body");
            }
            if (!finite(member.getValue())) {
                return refused("the body has a number out of range");
            }
            args.set(member.getKey(), member.getValue());
        }
        return new Built.Args(args);
    }

    private static String unreadable(IOException e) {
        if (e instanceof StreamConstraintsException) {
            return "the body nests deeper than " + MAX_DEPTH + " levels";
        }
        if (e instanceof JsonProcessingException json && json.getProcessor() instanceof JsonParser parser
                && json.getOriginalMessage().startsWith("Duplicate field")) {
            JsonStreamContext object = parser.getParsingContext();
            String at = object.getParent() == null || object.getParent().inRoot() ? ""
                    : " at " + object.getParent().pathAsPointer();
            return "duplicate member \"" + object.getCurrentName() + "\" in the body" + at;
        }
        // the parser's own message may quote the body, which is an argument
        JsonLocation location = e instanceof JsonProcessingException json ? json.getLocation() : null;
        return location == null ? "the body is not valid JSON"
                : "the body is not valid JSON (line " + location.getLineNr() + ", column " + location.getColumnNr()
                        + ")";
    }

    private static boolean finite(JsonNode node) {
        if (node.isNumber()) {
            return Double.isFinite(node.doubleValue());
        }
        for (JsonNode child : node) {
            if (!finite(child)) {
                return false;
            }
        }
        return true;
    }

    private static Built collision(String name, String first, String second) {
        return refused("argument \"" + name + "\" is given both in the " + first + " and in the " + second);
    }

    private static Built refused(String detail) {
        return new Built.Refused(Denial.of(Reason.INVALID_ARGUMENTS, detail));
    }
}
