package dev.toolgate.pipeline;

import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.ToolSpec;
import io.smallrye.mutiny.Uni;

/**
 * Where the contract stage learns the schema a tool declares for an action's arguments itself (an MCP server's
 * {@code inputSchema}), which a call must satisfy besides the contract's. The ingress that knows how to ask the tool
 * supplies one per call ({@link Pipeline#handle(dev.toolgate.call.ToolCall, ToolSchemas, Upstream)}); the contract
 * stage asks it only for an action the agent is granted and no kill switch stops, and refuses the call when the
 * answer is {@link Lookup.Unavailable}: a schema that cannot be learned never switches the check off.
 */
@FunctionalInterface
public interface ToolSchemas {

    /** No tool declares a schema of its own (HTTP tools, and ingresses that cannot ask). */
    ToolSchemas UNDECLARED = (tool, action) -> Uni.createFrom().item(new Lookup.Undeclared());

    /** What became of a lookup. */
    sealed interface Lookup {

        /**
         * The tool declares this schema for the action.
         *
         * @param source the schema's text as the tool declared it: equal texts are the same schema
         * @param schema the schema, to be compiled by its own {@code $schema}
         */
        record Declared(String source, JsonNode schema) implements Lookup {
            public Declared {
                Objects.requireNonNull(source, "source");
                Objects.requireNonNull(schema, "schema");
            }
        }

        /** The tool declares no schema of its own: the contract's alone applies. */
        record Undeclared() implements Lookup {
        }

        /**
         * The tool's schema could not be learned (it could not be asked, or it does not know the action): the call is
         * refused.
         *
         * @param why a reason for the caller, naming neither credentials nor arguments
         */
        record Unavailable(String why) implements Lookup {
            public Unavailable {
                Objects.requireNonNull(why, "why");
            }
        }
    }

    /**
     * The tool's own schema for one of its actions.
     *
     * @return the lookup; a failed {@code Uni} counts as {@link Lookup.Unavailable}
     */
    Uni<Lookup> inputSchema(ToolSpec tool, String action);
}
