package dev.toolgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.node.MissingNode;

import dev.toolgate.call.ApprovalTier;
import dev.toolgate.call.Decision;

class DecisionReaderTest {

    private static final String REVISION = "sha256:0123456789abcdef";

    @Test
    void readsAFullDecision() {
        // given
        var result = Calls.json("""
                {"allow": true, "reasons": ["b", "a"], "approval": "dual",
                 "obligations": {"redact": ["/card_number"], "other": 1}, "extra": "ignored"}""");

        // when
        DecisionReader.Result read = DecisionReader.read(result, REVISION);

        // then
        assertEquals(new DecisionReader.Result.Valid(
                new Decision(true, List.of("b", "a"), ApprovalTier.DUAL, List.of("/card_number"), REVISION)), read);
    }

    @Test
    void defaultsMissingReasonsApprovalAndObligations() {
        DecisionReader.Result read = DecisionReader.read(Calls.json("{\"allow\": false}"), REVISION);

        assertEquals(new DecisionReader.Result.Valid(
                new Decision(false, List.of(), ApprovalTier.NONE, List.of(), REVISION)), read);
    }

    @Test
    void defaultsRedactWhenObligationsHasNone() {
        DecisionReader.Result read = DecisionReader.read(
                Calls.json("{\"allow\": true, \"approval\": \"required\", \"obligations\": {}}"), REVISION);

        assertEquals(new DecisionReader.Result.Valid(
                new Decision(true, List.of(), ApprovalTier.REQUIRED, List.of(), REVISION)), read);
    }

    @Test
    void treatsAnUndefinedDecisionAsMalformed() {
        assertEquals(new DecisionReader.Result.Malformed("the decision is undefined"),
                DecisionReader.read(MissingNode.getInstance(), REVISION));
        assertEquals(new DecisionReader.Result.Malformed("the decision is undefined"),
                DecisionReader.read(null, REVISION));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            true                                                  | the decision is a boolean, not an object
            [{"allow": true}]                                     | the decision is an array, not an object
            null                                                  | the decision is null, not an object
            {}                                                    | allow is missing
            {"allow": "yes"}                                      | allow is a string, not a boolean
            {"allow": 1}                                          | allow is a number, not a boolean
            {"allow": null}                                       | allow is null, not a boolean
            {"allow": true, "reasons": "because"}                 | reasons is a string, not an array of strings
            {"allow": true, "reasons": ["ok", 2]}                 | reasons is an array with a non-string element, not an array of strings
            {"allow": true, "reasons": null}                      | reasons is null, not an array of strings
            {"allow": true, "approval": "maybe"}                  | approval is not one of none, required, dual
            {"allow": true, "approval": "NONE"}                   | approval is not one of none, required, dual
            {"allow": true, "approval": 2}                        | approval is a number, not a string
            {"allow": true, "obligations": []}                    | obligations is an array, not an object
            {"allow": true, "obligations": {"redact": "/ssn"}}    | obligations.redact is a string, not an array of strings
            {"allow": true, "obligations": {"redact": [["/a"]]}}  | obligations.redact is an array with a non-string element, not an array of strings
            """)
    void treatsAMalformedDecisionAsMalformedNeverAsAnAllow(String json, String problem) throws Exception {
        // when
        DecisionReader.Result read = DecisionReader.read(Calls.JSON.readTree(json), REVISION);

        // then
        assertEquals(new DecisionReader.Result.Malformed(problem), read);
    }
}
