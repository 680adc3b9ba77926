package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ArgumentSchema;
import dev.toolgate.contract.DeclaredSchemas.Compiled;

/** Schemas tools declare for themselves: compiled in the draft their {@code $schema} names, or refused with why. */
class DeclaredSchemasTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String DRAFT_4 = "http://json-schema.org/draft-04/schema#";
    private static final String DRAFT_6 = "http://json-schema.org/draft-06/schema#";
    private static final String DRAFT_7 = "http://json-schema.org/draft-07/schema#";
    private static final String DRAFT_2019_09 = "https://json-schema.org/draft/2019-09/schema";
    private static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

    private static Compiled compile(String schema) {
        try {
            return DeclaredSchemas.compile(JSON.readTree(schema));
        } catch (JsonProcessingException e) {
            throw new AssertionError("a test schema that is not JSON: " + schema, e);
        }
    }

    private static ArgumentSchema compiled(String schema) {
        return switch (compile(schema)) {
            case Compiled.Ok ok -> ok.schema();
            case Compiled.Refused refused -> throw new AssertionError("refused: " + refused.problems());
        };
    }

    private static List<String> refusal(String schema) {
        return switch (compile(schema)) {
            case Compiled.Ok ok -> throw new AssertionError("compiled: " + schema);
            case Compiled.Refused refused -> refused.problems();
        };
    }

    private static List<String> violations(ArgumentSchema schema, String args) {
        try {
            return schema.validate((ObjectNode) JSON.readTree(args));
        } catch (JsonProcessingException e) {
            throw new AssertionError("test arguments that are not JSON: " + args, e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { DRAFT_4, DRAFT_6, DRAFT_7, DRAFT_2019_09, DRAFT_2020_12 })
    void enforcesASchemaOfEachDraftWithPointeredViolations(String dialect) {
        // given
        ArgumentSchema schema = compiled("""
                {"$schema": "%s", "type": "object", "required": ["name"],
                 "properties": {"name": {"type": "string", "maxLength": 3}, "tags": {"type": "array",
                   "items": {"$ref": "#/%s/tag"}}},
                 "%2$s": {"tag": {"type": "string", "pattern": "^[a-z]+$"}}}
                """.formatted(dialect, dialect.contains("/draft/") ? "$defs" : "definitions"));

        // when
        List<String> violations = violations(schema, """
                {"name": "toolong", "tags": ["ok", "NO"]}
                """);

        // then
        assertEquals(List.of("/name: must be at most 3 characters long",
                "/tags/1: does not match the regex pattern ^[a-z]+$"), violations);
        assertEquals(List.of(), violations(schema, "{\"name\": \"abc\", \"tags\": [\"ok\"]}"));
    }

    @Test
    void enforcesDraft4BooleanExclusiveMaximum() {
        // given: in draft-04 exclusiveMaximum is a flag on maximum
        ArgumentSchema schema = compiled("""
                {"$schema": "%s", "type": "object",
                 "properties": {"n": {"type": "number", "maximum": 5, "exclusiveMaximum": true}}}
                """.formatted(DRAFT_4));

        // then: 5 itself is out (networknt words it as the maximum), just below is in
        assertEquals(List.of("/n: must have a maximum value of 5"), violations(schema, "{\"n\": 5}"));
        assertEquals(List.of(), violations(schema, "{\"n\": 4.99}"));
    }

    @Test
    void enforcesDraft7NumericExclusiveMaximum() {
        // given: from draft-06 on exclusiveMaximum is the bound itself
        ArgumentSchema schema = compiled("""
                {"$schema": "%s", "type": "object", "properties": {"n": {"type": "number", "exclusiveMaximum": 5}}}
                """.formatted(DRAFT_7));

        // then
        assertEquals(List.of("/n: must have an exclusive maximum value of 5"), violations(schema, "{\"n\": 5}"));
        assertEquals(List.of(), violations(schema, "{\"n\": 4.99}"));
    }

    @Test
    void enforcesTheDraft7SchemaZodToJsonSchemaWrites() {
        // given: what a TypeScript-SDK server sends for {q: z.string().min(1)}
        ArgumentSchema schema = compiled("""
                {"type":"object","properties":{"q":{"type":"string","minLength":1}},"required":["q"],
                 "additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}
                """);

        // then
        assertEquals(List.of("/q: must be at least 1 characters long"), violations(schema, "{\"q\": \"\"}"));
        assertEquals(List.of("/: required property 'q' not found"), violations(schema, "{}"));
        assertEquals(List.of("/: property 'extra' is not defined in the schema and the schema does not allow "
                + "additional properties"), violations(schema, "{\"q\": \"x\", \"extra\": 1}"));
        assertEquals(List.of(), violations(schema, "{\"q\": \"x\"}"));
    }

    @Test
    void enforcesDraft7DependenciesAnd201909DependentRequired() {
        // given
        ArgumentSchema draft7 = compiled("""
                {"$schema": "%s", "type": "object", "dependencies": {"card": ["cvc"]}}
                """.formatted(DRAFT_7));
        ArgumentSchema draft201909 = compiled("""
                {"$schema": "%s", "type": "object", "dependentRequired": {"card": ["cvc"]}}
                """.formatted(DRAFT_2019_09));

        // then
        assertEquals(List.of("/: has an error with dependencies {card=[cvc]}"), violations(draft7, "{\"card\": 1}"));
        assertEquals(List.of("/: has a missing property 'cvc' which is dependent required because 'card' is present"),
                violations(draft201909, "{\"card\": 1}"));
        assertEquals(List.of(), violations(draft7, "{\"card\": 1, \"cvc\": 2}"));
        assertEquals(List.of(), violations(draft201909, "{\"card\": 1, \"cvc\": 2}"));
    }

    /** A document whose one property refers, relative to the root's identifier, to a definition with its own. */
    private static final String EMBEDDED = """
            {"$schema": "%s", "%s": "http://example.com/root.json", "type": "object",
             "properties": {"a": {"$ref": "item.json"}},
             "definitions": {"item": {"%2$s": "item.json", "type": "string"}}}
            """;

    @Test
    void draft4IdentifiesWithIdAndLaterDraftsWithDollarId() {
        // given
        ArgumentSchema draft4 = compiled(EMBEDDED.formatted(DRAFT_4, "id"));
        ArgumentSchema draft7 = compiled(EMBEDDED.formatted(DRAFT_7, "$id"));

        // then: item.json is found inside the document
        assertEquals(List.of("/a: integer found, string expected"), violations(draft4, "{\"a\": 1}"));
        assertEquals(List.of("/a: integer found, string expected"), violations(draft7, "{\"a\": 1}"));
    }

    @Test
    void draft7IgnoresIdSoThatItIdentifiesNothing() {
        // when: draft-04's keyword in a draft-07 document
        List<String> problems = refusal(EMBEDDED.formatted(DRAFT_7, "id"));

        // then: item.json is then a document of its own, which is never fetched
        assertEquals(List.of("inputSchema: cannot resolve $ref \"urn:toolgate:schema:item.json\": "
                + "only references into the same schema are allowed"), problems);
    }

    @Test
    void compilesADraft7SchemaThatCarriesId() {
        // networknt would refuse id as a keyword without a validator; in draft-07 it is just an unknown keyword
        ArgumentSchema schema = compiled("""
                {"$schema": "%s", "id": "search", "type": "object", "properties": {"q": {"type": "string"}}}
                """.formatted(DRAFT_7));

        assertEquals(List.of("/q: integer found, string expected"), violations(schema, "{\"q\": 1}"));
    }

    @Test
    void withoutDollarSchemaCompilesAs202012() {
        // given: prefixItems is a keyword of 2020-12 only; draft-07 would ignore it
        ArgumentSchema schema = compiled("""
                {"type": "object", "properties": {"pair": {"type": "array", "prefixItems": [{"type": "string"}]}}}
                """);

        // then
        assertEquals(List.of("/pair/0: integer found, string expected"), violations(schema, "{\"pair\": [1]}"));
    }

    @Test
    void withoutDollarSchemaChecksAgainstThe202012MetaSchema() {
        // when: draft-04's exclusiveMaximum, without a $schema
        List<String> problems = refusal("""
                {"type": "object", "properties": {"n": {"maximum": 5, "exclusiveMaximum": true}}}
                """);

        // then
        assertEquals(List.of("inputSchema: /properties/n/exclusiveMaximum: boolean found, number expected"), problems);
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-04/schema",
            "https://json-schema.org/draft-04/schema#", "https://json-schema.org/draft-04/schema" })
    void readsEachSpellingOfADialectId(String dialect) {
        // given: a boolean exclusiveMaximum is valid in draft-04 only
        ArgumentSchema schema = compiled("""
                {"$schema": "%s", "type": "object",
                 "properties": {"n": {"type": "number", "maximum": 5, "exclusiveMaximum": true}}}
                """.formatted(dialect));

        // then
        assertEquals(List.of("/n: must have a maximum value of 5"), violations(schema, "{\"n\": 5}"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"http://json-schema.org/draft-03/schema#\"",
            "\"https://spec.openapis.org/oas/3.1/dialect/base\"", "\"json-schema.org/draft-07/schema\"",
            "\"http://json-schema.org/draft-07/schema#/definitions\"", "7" })
    void refusesAnUnknownDialectNamingIt(String dialect) {
        assertEquals(List.of("inputSchema: /$schema: unknown dialect " + dialect + ", expected JSON Schema draft-04, "
                + "draft-06, draft-07, 2019-09 or 2020-12"),
                refusal("{\"$schema\": " + dialect + ", \"type\": \"object\"}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            DRAFT_4 + "| {\"maximum\": 5, \"exclusiveMaximum\": 5} | /properties/n/exclusiveMaximum: integer found, "
                    + "boolean expected",
            DRAFT_4 + "| true | /properties/n: boolean found, object expected",
            DRAFT_7 + "| {\"maximum\": 5, \"exclusiveMaximum\": true} | /properties/n/exclusiveMaximum: boolean "
                    + "found, number expected",
            DRAFT_2019_09 + "| {\"dependentRequired\": {\"a\": \"b\"}} | /properties/n/dependentRequired/a: string "
                    + "found, array expected" })
    void refusesASchemaInvalidUnderItsOwnDraftsMetaSchema(String dialect, String property, String problem) {
        assertEquals(List.of("inputSchema: " + problem), refusal("""
                {"$schema": "%s", "type": "object", "properties": {"n": %s}}
                """.formatted(dialect, property)));
    }

    @ParameterizedTest
    @ValueSource(strings = { DRAFT_4, DRAFT_7, DRAFT_2020_12 })
    void refusesARemoteReferenceWithoutFetchingIt(String dialect) {
        // when
        List<String> problems = refusal("""
                {"$schema": "%s", "type": "object",
                 "properties": {"a": {"$ref": "http://127.0.0.1:9/schema.json"}}}
                """.formatted(dialect));

        // then
        assertEquals(List.of("inputSchema: cannot resolve $ref \"http://127.0.0.1:9/schema.json\": "
                + "only references into the same schema are allowed"), problems);
    }

    @Test
    void refusesAnUnknownDialectInsideTheSchemaWithoutLoadingIt() {
        List<String> problems = refusal("""
                {"$schema": "%s", "type": "object",
                 "properties": {"a": {"$schema": "http://127.0.0.1:9/meta", "type": "string"}}}
                """.formatted(DRAFT_7));

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("inputSchema: cannot be compiled: Unknown dialect "
                + "'http://127.0.0.1:9/meta'"), problems.get(0));
    }

    @Test
    void requiresTypeObjectAtTheRootInEveryDraft() {
        assertEquals(List.of("inputSchema: must have type: object at its root"),
                refusal("{\"$schema\": \"" + DRAFT_4 + "\", \"type\": \"array\"}"));
    }

    @Test
    void assertsFormatInDraft7AsIn202012() {
        // format is asserted in the contract's own schemas and in declared ones alike (issue 11, item 6)
        ArgumentSchema schema = compiled("""
                {"$schema": "%s", "type": "object", "properties": {"to": {"type": "string", "format": "email"}}}
                """.formatted(DRAFT_7));

        assertEquals(List.of("/to: does not match the email pattern must be a valid RFC 5321 Mailbox"),
                violations(schema, "{\"to\": \"not an address\"}"));
        assertEquals(List.of(), violations(schema, "{\"to\": \"ops@example.com\"}"));
    }
}
