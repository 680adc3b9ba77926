package dev.toolgate.contract;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.ArgumentSchema;

/**
 * Compiles a schema a tool declares for itself (an MCP server's {@code inputSchema}), under the rules of the
 * contract's own schemas: JSON Schema 2020-12, {@code type: object} at the root, references resolved inside the
 * document and nothing fetched over the network.
 */
public final class DeclaredSchemas {

    private DeclaredSchemas() {
    }

    /** The compiled schema, or empty when it breaks those rules (the tool's schema is then not checked here). */
    public static Optional<ArgumentSchema> compile(JsonNode schema) {
        return new SchemaCompiler().compile(schema, "inputSchema", new Problems());
    }
}
