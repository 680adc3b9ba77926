package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Argument schemas: JSON Schema 2020-12, {@code type: object} at the root, compiled at load. */
class SchemaValidationTest {

    private static final String AT = "tools.deploy.actions[0].schema: ";

    /** A contract whose one action has the given schema (a YAML flow mapping). */
    private static String schema(String schema) {
        return """
                version: 1
                tools:
                  deploy:
                    upstream: https://deploy.internal
                    risk: critical
                    reversible: false
                    actions:
                      - name: deployments.create
                        method: POST
                        path: /deployments
                        schema: %s
                """.formatted(schema);
    }

    @Test
    void namesTheUnknownTypeAndNothingElse() {
        // given
        String yaml = Contracts.text("unknown-type.yaml");

        // when
        List<String> errors = Contracts.errors(yaml);

        // then
        assertEquals(List.of("tools.payments.actions[2].schema: unknown type \"strng\""), errors);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{type: object, properties: {a: {type: strng}}}",
            "{type: object, properties: {a: {type: [string, strng]}}}",
            "{type: object, properties: {a: {type: array, items: {type: strng}}}}",
            "{type: object, $defs: {x: {type: strng}}}",
            "{type: object, anyOf: [{type: object}, {properties: {a: {type: strng}}}]}",
            "{type: object, additionalProperties: {type: strng}}" })
    void findsUnknownTypesInEverySchemaPosition(String schema) {
        assertEquals(List.of(AT + "unknown type \"strng\""), Contracts.errors(schema(schema)));
    }

    @Test
    void aPropertyNamedTypeIsNotATypeKeyword() {
        // "type" under properties is a property name, not the type keyword
        assertEquals(1, Contracts.parse(schema("{type: object, properties: {type: {enum: [strng]}}}")).tools()
                .size());
    }

    @ParameterizedTest
    @ValueSource(strings = { "{type: array}", "{type: [object, \"null\"]}", "{properties: {a: {type: string}}}",
            "{type: Object}" })
    void requiresTypeObjectAtTheRoot(String schema) {
        assertTrue(Contracts.errors(schema(schema)).contains(AT + "must have type: object at its root"));
    }

    @Test
    void refusesASchemaThatIsNotAMapping() {
        assertEquals(List.of(AT + "must be a mapping"), Contracts.errors(schema("true")));
    }

    @Test
    void checksTheSchemaAgainstTheMetaSchemaWithPointers() {
        assertEquals(List.of(AT + "/properties/name/minLength: must have a minimum value of 0",
                AT + "/required: string found, array expected"),
                Contracts.errors(schema("{type: object, required: name, properties: {name: {minLength: -1}}}")));
    }

    @Test
    void refusesAnotherDialect() {
        assertEquals(List.of(AT + "/$schema: must be https://json-schema.org/draft/2020-12/schema when given"),
                Contracts.errors(schema("{$schema: \"http://json-schema.org/draft-07/schema#\", type: object}")));
    }

    @Test
    void acceptsTheDialectItself() {
        assertEquals(1, Contracts.parse(schema("{$schema: \"https://json-schema.org/draft/2020-12/schema\", "
                + "type: object}")).tools().size());
    }

    @Test
    void refusesRemoteReferencesWithoutFetchingThem() {
        List<String> errors = Contracts.errors(schema(
                "{type: object, properties: {a: {$ref: \"http://127.0.0.1:9/schema.json\"}}}"));
        assertEquals(List.of(AT + "cannot resolve $ref \"http://127.0.0.1:9/schema.json\": "
                + "only references into the same schema are allowed"), errors);
    }

    @Test
    void refusesUnresolvableLocalReferences() {
        List<String> errors = Contracts.errors(schema("{type: object, properties: {a: {$ref: \"#/$defs/nope\"}}}"));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith(AT + "cannot be compiled: "), errors.get(0));
        assertTrue(errors.get(0).contains("/$defs/nope"), errors.get(0));
    }

    @Test
    void acceptsLocalReferences() {
        assertEquals(1, Contracts.parse(schema(
                "{type: object, properties: {a: {$ref: \"#/$defs/id\"}}, $defs: {id: {type: string}}}")).tools()
                .size());
    }

    @Test
    void refusesAnInvalidRegularExpression() {
        List<String> errors = Contracts.errors(schema("{type: object, properties: {a: {pattern: \"[\"}}}"));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith(AT + "invalid regular expression \"[\": "), errors.get(0));
    }
}
