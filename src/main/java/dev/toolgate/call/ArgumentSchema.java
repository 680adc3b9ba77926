package dev.toolgate.call;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** An action's compiled argument schema. Thread-safe. */
public interface ArgumentSchema {

    /**
     * Validates arguments.
     *
     * @return the violations, each starting with the JSON pointer of the offending value; empty when valid
     */
    List<String> validate(ObjectNode args);
}
