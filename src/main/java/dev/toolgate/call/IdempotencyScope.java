package dev.toolgate.call;

import java.nio.charset.StandardCharsets;

/**
 * The scope of one {@code Idempotency-Key}: the tenant, the agent and the tool it was sent to. The idempotency stage
 * names its record by it, and the approval stage records it when a call redeems an approval, so that a retry of that
 * call with the same key can reach the kept reply; both compute it here, so they always agree.
 */
public final class IdempotencyScope {

    private IdempotencyScope() {
    }

    /**
     * The scope's name, which is also the Redis key of its idempotency record. The agent's key is hashed, so that any
     * printable key makes a bounded name and no key can reach into another scope; the tenant's hash tag comes first.
     */
    public static String of(String tenant, String agent, String tool, String idempotencyKey) {
        return "tg:{" + tenant + "}:idem:"
                + CanonicalJson.sha256Hex((agent + "\n" + tool + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
    }
}
