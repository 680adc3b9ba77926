package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;

/** Paths an upstream could read as another path are refused, never normalised. */
class ContractStagePathTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/../admin | the path has a dot segment",
            "/%2e%2e/x | the path has a dot segment",
            "/charges/%2E%2e | the path has a dot segment",
            "/charges/.%2e/x | the path has a dot segment",
            "/a/./b | the path has a dot segment",
            "/charges/ch_1/.. | the path has a dot segment",
            "/charges/..;/admin | the path has a dot segment",
            "/charges%2Fx | the path has an encoded \"/\" or \"\\\"",
            "/charges/ch_1%2f.. | the path has an encoded \"/\" or \"\\\"",
            "/a%5cb | the path has an encoded \"/\" or \"\\\"",
            "/a%5Cb | the path has an encoded \"/\" or \"\\\"",
            "/charges/a\\b | the path has a backslash",
            "//x | the path has an empty segment",
            "/charges//ch_1 | the path has an empty segment",
            "/charges/ch_1/ | the path has an empty segment",
            "/charges/%zz | the path has malformed percent-encoding",
            "/charges/ch_1% | the path has malformed percent-encoding",
            "/charges/ch_1%4 | the path has malformed percent-encoding",
            "/charges/%C3%28 | the path has malformed percent-encoding",
            "/charges/%ff | the path has malformed percent-encoding",
            "/charges/%00 | the path has a control character",
            "/charges/ch_1%0d%0aX-Injected:1 | the path has a control character",
            "charges/ch_1 | the path must start with \"/\"" })
    void refusesPathsThatCouldMeanAnotherPath(String path, String problem) {
        // given
        var call = Calls.call("support-bot", "payments", "GET", path);

        // when
        Denial denial = Calls.denial(Calls.run(call));

        // then
        assertEquals(Denial.of(Reason.INVALID_ARGUMENTS, problem), denial);
    }

    @Test
    void refusesARawControlCharacter() {
        assertEquals(Denial.of(Reason.INVALID_ARGUMENTS, "the path has a control character"),
                Calls.denial(Calls.run(Calls.call("support-bot", "payments", "GET", "/charges/ch\t1"))));
    }

    @Test
    void decodesEachSegmentBeforeMatching() {
        // given
        var call = Calls.call("support-bot", "payments", "GET", "/%63harges/ch%5F1");

        // when
        ResolvedAction resolved = Calls.resolved(Calls.run(call));

        // then
        assertEquals("charges.get", resolved.action().name());
        assertEquals("ch_1", resolved.args().path("id").textValue());
    }

    @Test
    void decodesUtf8InVariables() {
        // given: é, which the schema's pattern refuses
        var call = Calls.call("support-bot", "payments", "GET", "/charges/ch_caf%C3%A9", Map.of(), "");

        // when
        Denial denial = Calls.denial(Calls.run(call));

        // then
        assertEquals("the arguments do not match the schema of action charges.get", denial.detail());
    }
}
