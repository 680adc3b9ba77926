package dev.toolgate.contract;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.path.NodePath;

import dev.toolgate.call.ArgumentSchema;

/**
 * An argument schema compiled once: an action's (JSON Schema 2020-12) when the contract loads, or one a tool declares
 * for itself (in the draft its {@code $schema} names) when it is learned. Validation touches nothing but the
 * arguments: the schema's references were resolved when it was compiled, and remote ones are never fetched.
 * Thread-safe.
 */
public final class JsonArgumentSchema implements ArgumentSchema {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Schema schema;

    JsonArgumentSchema(Schema schema) {
        this.schema = schema;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Each violation reads {@code <JSON pointer>: <message>}, the pointer of the root being {@code /}; the list is
     * sorted and without repeats, so that equal arguments always get an equal answer.
     */
    @Override
    public List<String> validate(ObjectNode args) {
        String json;
        try {
            // the validator is built on Jackson 3; text is the one form both Jacksons share
            json = JSON.writeValueAsString(args);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
        return schema.validate(json, InputFormat.JSON).stream()
                .map(JsonArgumentSchema::describe)
                .distinct()
                .sorted()
                .toList();
    }

    static String describe(Error error) {
        return pointer(error.getInstanceLocation()) + ": " + error.getMessage();
    }

    /** The location as a JSON pointer, whatever path type the validator was configured with. */
    static String pointer(NodePath location) {
        if (location == null || location.getNameCount() == 0) {
            return "/";
        }
        StringBuilder pointer = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            pointer.append('/').append(String.valueOf(location.getElement(i)).replace("~", "~0").replace("/", "~1"));
        }
        return pointer.toString();
    }
}
