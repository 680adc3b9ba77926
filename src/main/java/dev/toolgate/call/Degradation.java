package dev.toolgate.call;

import java.util.Objects;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a call was before an over-budget {@code degrade} put its fallback in its place. The fallback is a call of its
 * own: it runs every stage after identity as the fallback action, with the arguments of the action it replaces.
 *
 * @param tool the tool the agent called
 * @param action the action the agent called
 * @param fallback the action of the call's tool that runs instead
 * @param args the arguments of the agent's call, which the fallback is called with
 */
public record Degradation(String tool, String action, String fallback, ObjectNode args) {

    public Degradation {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(fallback, "fallback");
        Objects.requireNonNull(args, "args");
    }

    @Override
    public String toString() {
        // never the arguments
        return "Degradation[" + tool + "/" + action + " -> " + fallback + "]";
    }
}
