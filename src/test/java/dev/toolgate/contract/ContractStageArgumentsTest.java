package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;

/** Arguments: one source per name, a body that is one JSON object, and the action's schema. */
class ContractStageArgumentsTest {

    private static Denial refund(Map<String, List<String>> query, String body) {
        return Calls.denial(Calls.run(Calls.call("support-bot", "payments", "POST", "/charges/ch_1/refunds", query,
                body)));
    }

    @Test
    void refusesDuplicateBodyMembers() {
        assertEquals(Denial.of(Reason.INVALID_ARGUMENTS, "duplicate member \"amount\" in the body"),
                refund(Map.of(), "{\"amount\": 1, \"amount\": 100000}"));
    }

    @Test
    void refusesDuplicateMembersInsideTheBody() {
        assertEquals(Denial.of(Reason.INVALID_ARGUMENTS, "duplicate member \"ticket\" in the body at /metadata"),
                refund(Map.of(), "{\"amount\": 1, \"metadata\": {\"ticket\": \"a\", \"ticket\": \"b\"}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "[{\"amount\": 1}]", "1", "\"amount\"", "null", "true" })
    void refusesABodyThatIsNotAJsonObject(String body) {
        assertEquals(Denial.of(Reason.INVALID_ARGUMENTS, "the body must be a JSON object"), refund(Map.of(), body));
    }

    @Test
    void refusesABodyOfWhitespaceAsEmpty() {
        assertEquals(Denial.of(Reason.INVALID_ARGUMENTS, "the body is empty"), refund(Map.of(), " \r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"amount\": }", "{\"amount\": 1} {}", "{\"amount\": 1}x", "{amount: 1}",
            "{\"amount\": NaN}" })
    void refusesABodyThatIsNotJsonWithoutQuotingIt(String body) {
        // when
        Denial denial = refund(Map.of(), body);

        // then
        assertEquals(Reason.INVALID_ARGUMENTS, denial.reason());
        assertTrue(denial.detail().startsWith("the body is not valid JSON (line 1, column "), denial.detail());
    }

    @Test
    void refusesNumbersNoDoubleCanHold() {
        assertEquals(Denial.of(Reason.INVALID_ARGUMENTS, "the body has a number out of range"),
                refund(Map.of(), "{\"amount\": 1e400}"));
    }

    @Test
    void refusesDeeplyNestedBodies() {
        // given
        String deep = "{\"amount\": 1, \"metadata\": " + "[".repeat(100) + "]".repeat(100) + "}";

        // when / then
        assertEquals(Denial.of(Reason.INVALID_ARGUMENTS, "the body nests deeper than 64 levels"),
                refund(Map.of(), deep));
    }

    @Test
    void refusesANameGivenInTheQueryAndTheBody() {
        assertEquals(Denial.of(Reason.INVALID_ARGUMENTS, "argument \"amount\" is given both in the query and in the body"),
                refund(Map.of("amount", List.of("1")), "{\"amount\": 100000}"));
    }

    @Test
    void refusesANameGivenInThePathAndTheBody() {
        assertEquals(Denial.of(Reason.INVALID_ARGUMENTS, "argument \"id\" is given both in the path and in the body"),
                refund(Map.of(), "{\"id\": \"ch_2\", \"amount\": 1}"));
    }

    @Test
    void refusesANameGivenInThePathAndTheQuery() {
        assertEquals(Denial.of(Reason.INVALID_ARGUMENTS, "argument \"id\" is given both in the path and in the query"),
                Calls.denial(Calls.run(Calls.call("support-bot", "payments", "GET", "/charges/ch_1",
                        Map.of("id", List.of("ch_2")), ""))));
    }

    @Test
    void listsEverySchemaViolationWithItsPointer() {
        // when
        Denial denial = refund(Map.of(), "{\"amount\": 0, \"reason\": \"because\", \"metadata\": [], \"x\": 1}");

        // then
        assertEquals(Reason.INVALID_ARGUMENTS, denial.reason());
        assertEquals("the arguments do not match the schema of action refunds.create", denial.detail());
        assertEquals(List.of(
                "/: property 'x' is not defined in the schema and the schema does not allow additional properties",
                "/amount: must have a minimum value of 1",
                "/metadata: array found, object expected",
                "/reason: does not have a value in the enumeration [\"duplicate\", \"fraudulent\", \"requested_by_customer\"]"),
                denial.errors());
    }

    @Test
    void queryParametersAreStringsSoTheSchemaSeesThemAsStrings() {
        // given: expand must be an array of strings, limit a string
        Denial denial = Calls.denial(Calls.run(Calls.call("support-bot", "payments", "GET", "/charges/nope",
                Map.of("limit", List.of("1", "2")), "")));

        // then
        assertEquals(List.of("/id: does not match the regex pattern ^ch_[A-Za-z0-9]+$",
                "/limit: array found, string expected"), denial.errors());
    }
}
