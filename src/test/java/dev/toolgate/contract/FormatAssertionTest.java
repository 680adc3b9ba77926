package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ArgumentSchema;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;

/**
 * {@code format} is asserted, not only annotated: in the contract's schemas (2020-12) and in the schemas tools declare
 * (every draft). A value that is not what its format says is {@code invalid_arguments}, named by its JSON pointer.
 */
class FormatAssertionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tool whose action takes one argument of each common format, granted to support-bot. */
    private static final Contract CONTRACT = Contracts.parse(Calls.STAGE_CONTRACT.replace("tools:\n", """
            tools:
              crm:
                upstream: http://127.0.0.1:9104
                risk: low
                reversible: true
                actions:
                  - name: contacts.create
                    method: POST
                    path: /contacts
                    schema:
                      type: object
                      properties:
                        email: {type: string, format: email}
                        homepage: {type: string, format: uri}
                        seen_at: {type: string, format: date-time}
                        id: {type: string, format: uuid}
                        ip: {type: string, format: ipv4}
            """).replace("grants:\n  support-bot:\n", "grants:\n  support-bot:\n    crm: [contacts.create]\n"));

    private static ArgumentSchema contractSchema(String format) throws Exception {
        LoadErrors problems = new LoadErrors();
        return new SchemaCompiler().compile(JSON.readTree(schema(format, "")), "schema", problems)
                .orElseThrow(() -> new AssertionError(problems.list()));
    }

    private static ArgumentSchema declaredSchema(String format, String dialect) throws Exception {
        DeclaredSchemas.Compiled compiled = DeclaredSchemas.compile(JSON.readTree(schema(format, dialect)));
        return assertInstanceOf(DeclaredSchemas.Compiled.Ok.class, compiled, compiled.toString()).schema();
    }

    private static String schema(String format, String dialect) {
        return "{" + (dialect.isEmpty() ? "" : "\"$schema\": \"" + dialect + "\", ") + "\"type\": \"object\", "
                + "\"properties\": {\"v\": {\"type\": \"string\", \"format\": \"" + format + "\"}}}";
    }

    private static ObjectNode args(String value) {
        ObjectNode args = JSON.createObjectNode();
        args.put("v", value);
        return args;
    }

    @ParameterizedTest
    @CsvSource({ "email, support@example.com, not an email",
            "uri, https://example.com/a?b=c, //no scheme",
            "date-time, 2026-05-02T18:30:12Z, 2026-05-02 18:30",
            "uuid, 0192f0c1-7e55-7c2a-9d3e-3f1b2c4d5e6f, 0192f0c1-7e55",
            "ipv4, 192.0.2.7, 192.0.2.300" })
    void theContractsSchemasAssertTheFormat(String format, String good, String bad) throws Exception {
        ArgumentSchema schema = contractSchema(format);
        assertEquals(List.of(), schema.validate(args(good)));
        List<String> errors = schema.validate(args(bad));
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("/v: "), errors.toString());
    }

    @ParameterizedTest
    @CsvSource({ "email, not an email", "uri, //no scheme", "date-time, 2026-05-02 18:30", "uuid, 0192f0c1-7e55",
            "ipv4, 192.0.2.300" })
    void theSchemasToolsDeclareAssertTheFormatInEveryDraft(String format, String bad) throws Exception {
        for (String dialect : List.of("", "https://json-schema.org/draft/2020-12/schema",
                "https://json-schema.org/draft/2019-09/schema", "http://json-schema.org/draft-07/schema#")) {
            List<String> errors = declaredSchema(format, dialect).validate(args(bad));
            assertEquals(1, errors.size(), dialect + ": " + errors);
            assertTrue(errors.get(0).startsWith("/v: "), dialect + ": " + errors);
        }
    }

    @ParameterizedTest
    @CsvSource({ "email, support@@example.com", "homepage, example dot com", "seen_at, 2026-13-02T18:30:12Z",
            "id, 0192f0c1-7e55-7c2a-9d3e-3f1b2c4d5e6fzz", "ip, 10.0.0" })
    void aCallWithAValueOfTheWrongFormatIsInvalidArgumentsNamingItsPointer(String member, String bad) {
        Denial denial = Calls.denial(Calls.run(CONTRACT, Calls.call("support-bot", "crm", "POST", "/contacts",
                Map.of(), "{\"" + member + "\": \"" + bad + "\"}")));
        assertEquals(Reason.INVALID_ARGUMENTS, denial.reason());
        assertEquals(1, denial.errors().size(), denial.errors().toString());
        assertTrue(denial.errors().get(0).startsWith("/" + member + ": "), denial.errors().toString());
    }

    @Test
    void aCallWithValuesOfTheRightFormatsPasses() throws Exception {
        JsonNode args = Calls.resolved(Calls.run(CONTRACT, Calls.call("support-bot", "crm", "POST", "/contacts",
                Map.of(), """
                        {"email": "a@example.com", "homepage": "https://example.com", "seen_at": "2026-05-02T18:30:12Z",
                         "id": "0192f0c1-7e55-7c2a-9d3e-3f1b2c4d5e6f", "ip": "192.0.2.7"}
                        """))).args();
        assertFalse(args.isEmpty());
    }
}
