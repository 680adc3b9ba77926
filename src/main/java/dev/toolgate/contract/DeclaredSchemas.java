package dev.toolgate.contract;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.ArgumentSchema;

/**
 * Compiles a schema a tool declares for itself (an MCP server's {@code inputSchema}), under the rules of the
 * contract's own schemas: JSON Schema 2020-12, {@code type: object} at the root, references resolved inside the
 * document and nothing fetched over the network.
 */
public final class DeclaredSchemas {

    /** A declared schema, compiled or refused. */
    public sealed interface Compiled permits Compiled.Ok, Compiled.Refused {

        /** The schema compiled: arguments can be checked against it. */
        record Ok(ArgumentSchema schema) implements Compiled {
            public Ok {
                Objects.requireNonNull(schema, "schema");
            }
        }

        /**
         * The schema cannot be compiled: arguments cannot be checked against it.
         *
         * @param problems why, each as {@code inputSchema: <JSON pointer>: <message>} or
         *        {@code inputSchema: <message>}; never empty
         */
        record Refused(List<String> problems) implements Compiled {
            public Refused {
                problems = List.copyOf(problems);
                if (problems.isEmpty()) {
                    throw new IllegalArgumentException("a refusal needs a reason");
                }
            }
        }
    }

    private DeclaredSchemas() {
    }

    /** Compiles a declared schema, or refuses it with every problem found. */
    public static Compiled compile(JsonNode schema) {
        Problems problems = new Problems();
        // a compiler (and so a registry) per schema: one server's $id never resolves a reference of another's
        return new SchemaCompiler().compile(schema, "inputSchema", problems)
                .<Compiled> map(Compiled.Ok::new)
                .orElseGet(() -> new Compiled.Refused(problems.list()));
    }
}
