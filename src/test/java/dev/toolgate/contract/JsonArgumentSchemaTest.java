package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ArgumentSchema;

class JsonArgumentSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ArgumentSchema compile(String schema) throws Exception {
        LoadErrors problems = new LoadErrors();
        ArgumentSchema compiled = new SchemaCompiler().compile(JSON.readTree(schema), "schema", problems)
                .orElseThrow(() -> new AssertionError(problems.list()));
        return compiled;
    }

    private static ObjectNode args(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    private static final String REFUND = """
            {"type": "object",
             "required": ["id", "amount"],
             "properties": {
               "id": {"type": "string", "pattern": "^ch_"},
               "amount": {"type": "integer", "minimum": 1},
               "tags": {"type": "array", "items": {"type": "string"}},
               "a/b": {"type": "string"},
               "meta": {"type": "object", "properties": {"note": {"maxLength": 3}}}},
             "additionalProperties": false}
            """;

    @Test
    void validArgumentsHaveNoViolations() throws Exception {
        assertEquals(List.of(), compile(REFUND).validate(args("{\"id\": \"ch_1\", \"amount\": 5}")));
    }

    @Test
    void eachViolationStartsWithTheJsonPointerOfItsValue() throws Exception {
        // given
        ArgumentSchema schema = compile(REFUND);

        // when
        List<String> violations = schema.validate(args("""
                {"id": "x", "amount": 0, "tags": ["ok", 7], "a/b": 1, "meta": {"note": "long"}}
                """));

        // then: sorted, pointers escaped as RFC 6901 says
        assertEquals(List.of(
                "/amount: must have a minimum value of 1",
                "/a~1b: integer found, string expected",
                "/id: does not match the regex pattern ^ch_",
                "/meta/note: must be at most 3 characters long",
                "/tags/1: integer found, string expected"), violations);
    }

    @Test
    void violationsOfTheWholeObjectHaveTheRootPointer() throws Exception {
        // given
        ArgumentSchema schema = compile(REFUND);

        // when
        List<String> violations = schema.validate(args("{\"extra\": true}"));

        // then
        assertEquals(List.of(
                "/: property 'extra' is not defined in the schema and the schema does not allow additional properties",
                "/: required property 'amount' not found",
                "/: required property 'id' not found"), violations);
    }

    @Test
    void answersTheSameFromManyThreads() throws Exception {
        // given
        ArgumentSchema schema = compile(REFUND);
        ObjectNode bad = args("{\"id\": \"x\", \"amount\": 0}");
        List<String> expected = schema.validate(bad);

        // when
        List<List<String>> answers = IntStream.range(0, 200).parallel().mapToObj(i -> schema.validate(bad)).toList();

        // then
        answers.forEach(answer -> assertEquals(expected, answer));
    }
}
