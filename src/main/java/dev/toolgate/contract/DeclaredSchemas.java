package dev.toolgate.contract;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.ArgumentSchema;
import dev.toolgate.contract.SchemaCompiler.Dialects;

/**
 * Compiles a schema a tool declares for itself (an MCP server's {@code inputSchema}) in the JSON Schema draft its
 * {@code $schema} names: draft-04, draft-06, draft-07, 2019-09 or 2020-12 (the dialect id with or without its empty
 * fragment, over {@code http} or {@code https}), and 2020-12 when it names none, as MCP says. Each draft is checked
 * against its own meta-schema and enforced as it means (draft-04's boolean {@code exclusiveMaximum} and {@code id},
 * draft-07's {@code dependencies}, 2019-09's {@code dependentRequired}); {@code format} is asserted, as in the
 * contract's own schemas. Otherwise the contract's rules apply: {@code type: object} at the root, references
 * resolved inside the document, nothing fetched over the network.
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
        LoadErrors problems = new LoadErrors();
        // a compiler (and so a registry) per schema: one server's $id never resolves a reference of another's
        return new SchemaCompiler(Dialects.DECLARED).compile(schema, "inputSchema", problems)
                .<Compiled> map(Compiled.Ok::new)
                .orElseGet(() -> new Compiled.Refused(problems.list()));
    }
}
