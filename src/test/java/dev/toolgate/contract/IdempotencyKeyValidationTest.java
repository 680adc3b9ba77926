package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.toolgate.call.ActionSpec;

/** An action's {@code idempotency_key}: {@code required} for writes that must never run twice, else optional. */
class IdempotencyKeyValidationTest {

    private static String refunds(String line) {
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
                        schema: {type: object}
                """ + line;
    }

    private static ActionSpec.IdempotencyKey key(String line) {
        return Contracts.parse(refunds(line)).tool("payments").flatMap(t -> t.action("refunds.create")).orElseThrow()
                .idempotencyKey();
    }

    @Test
    void anActionMayRequireAKey() {
        assertEquals(ActionSpec.IdempotencyKey.REQUIRED, key("        idempotency_key: required\n"));
    }

    @Test
    void aKeyIsOptionalUnlessTheActionSaysSo() {
        assertEquals(ActionSpec.IdempotencyKey.OPTIONAL, key(""));
        assertEquals(ActionSpec.IdempotencyKey.OPTIONAL, key("        idempotency_key: optional\n"));
    }

    @Test
    void refusesAnotherValue() {
        assertEquals(List.of("tools.payments.actions[0].idempotency_key: must be one of optional, required"),
                Contracts.errors(refunds("        idempotency_key: always\n")));
    }
}
