package dev.toolgate.idempotency;

import dev.toolgate.call.IdempotencyScope;

/** Key names of idempotency records; all carry the tenant's hash tag. */
public final class IdempotencyKeys {

    private IdempotencyKeys() {
    }

    /**
     * The record of one agent's key for one tool: {@link IdempotencyScope#of}, the name the approval stage records for a
     * redemption too, so that both always name the same scope.
     */
    public static String record(String tenant, String agent, String tool, String idempotencyKey) {
        return IdempotencyScope.of(tenant, agent, tool, idempotencyKey);
    }
}
