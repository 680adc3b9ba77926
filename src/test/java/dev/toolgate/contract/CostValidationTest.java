package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.toolgate.call.CostSpec;

/** An action's {@code cost}: a pointer into the arguments, a fixed estimate, or both. */
class CostValidationTest {

    /** A refund action whose schema declares integers at /amount and /quote/usd_micros, with the given cost. */
    private static String refund(String cost) {
        return """
                version: 1
                tools:
                  payments:
                    upstream: http://127.0.0.1:9101
                    risk: high
                    reversible: true
                    actions:
                      - name: refunds.create
                        method: POST
                        path: /refunds
                        schema:
                          type: object
                          required: [amount, quote, id]
                          properties:
                            id: {type: string}
                            amount: {type: integer}
                            fee: {type: integer}
                            ratio: {type: number}
                            "a/b": {type: integer}
                            quote:
                              type: object
                              required: [usd_micros]
                              properties:
                                usd_micros: {type: integer}
                                tax: {type: integer}
                        cost: %s
                """.formatted(cost);
    }

    private static CostSpec cost(String cost) {
        return Contracts.parse(refund(cost)).tool("payments").flatMap(t -> t.action("refunds.create")).orElseThrow()
                .cost();
    }

    @Test
    void readsAPointerAFixedEstimateOrBoth() {
        assertEquals(new CostSpec(0, Optional.of("/amount")), cost("{pointer: /amount}"));
        assertEquals(new CostSpec(2500, Optional.empty()), cost("{fixed_usd_micros: 2500}"));
        assertEquals(new CostSpec(7, Optional.of("/fee")), cost("{pointer: /fee, fixed_usd_micros: 7}"));
        assertEquals(new CostSpec(0, Optional.of("/quote/usd_micros")), cost("{pointer: /quote/usd_micros}"));
        assertEquals(new CostSpec(1, Optional.of("/a~1b")), cost("{pointer: /a~1b, fixed_usd_micros: 1}"));
        assertEquals(new CostSpec(0, Optional.empty()), cost("{fixed_usd_micros: 0}"));
    }

    @Test
    void refusesACostWithNeitherPointerNorFixedEstimate() {
        assertEquals(List.of("tools.payments.actions[0].cost: needs a pointer, fixed_usd_micros or both"),
                Contracts.errors(refund("{}")));
    }

    @Test
    void refusesUnknownKeysAndACostThatIsNotAMapping() {
        assertEquals(List.of("tools.payments.actions[0].cost.fixed: unknown key (known: pointer, fixed_usd_micros)",
                "tools.payments.actions[0].cost: needs a pointer, fixed_usd_micros or both"),
                Contracts.errors(refund("{fixed: 1}")));
        assertEquals(List.of("tools.payments.actions[0].cost: must be a mapping"), Contracts.errors(refund("2500")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "amount", "/amount~2", "/amount~", "#/amount" })
    void refusesPointersThatAreNotJsonPointers(String pointer) {
        assertEquals(List.of("tools.payments.actions[0].cost.pointer: must be a JSON pointer such as /amount_usd_micros"),
                Contracts.errors(refund("{pointer: \"" + pointer + "\"}")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/amount_usd_micros | the schema declares no property /amount_usd_micros",
            "/quote/total | the schema declares no property /quote/total",
            "/id/length | the schema declares no property /id/length",
            "/ | the schema declares no property /" })
    void refusesPointersToPropertiesTheSchemaDoesNotDeclare(String pointer, String problem) {
        assertEquals(List.of("tools.payments.actions[0].cost.pointer: " + problem),
                Contracts.errors(refund("{pointer: \"" + pointer + "\", fixed_usd_micros: 1}")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/id", "/ratio", "/quote" })
    void refusesPointersToPropertiesThatAreNotIntegers(String pointer) {
        assertEquals(List.of("tools.payments.actions[0].cost.pointer: names " + pointer
                + ", which the schema does not declare with type: integer"),
                Contracts.errors(refund("{pointer: " + pointer + ", fixed_usd_micros: 1}")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/fee", "/quote/tax" })
    void refusesAPointerAloneToAPropertyTheSchemaDoesNotRequire(String pointer) {
        // a call that left it out would otherwise be estimated to cost nothing
        assertEquals(List.of("tools.payments.actions[0].cost.pointer: names " + pointer
                + ", which the schema does not require; give fixed_usd_micros for calls without it"),
                Contracts.errors(refund("{pointer: " + pointer + "}")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "-1 | must be at least 0",
            "2.5 | must be an integer",
            "\"2500\" | must be an integer",
            "2251799813685249 | must be at most 2251799813685248" })
    void refusesFixedEstimatesThatAreNotIntegersFromZero(String fixed, String problem) {
        assertEquals(List.of("tools.payments.actions[0].cost.fixed_usd_micros: " + problem),
                Contracts.errors(refund("{fixed_usd_micros: " + fixed + "}")));
    }

    @Test
    void aPointerIntoABrokenSchemaIsNotReportedAgain() {
        // given: the schema has one mistake
        String yaml = refund("{pointer: /amount}").replace("amount: {type: integer}", "amount: {type: integr}");

        // when / then: reported once, at the schema
        assertEquals(List.of("tools.payments.actions[0].schema: unknown type \"integr\""), Contracts.errors(yaml));
    }
}
