package dev.toolgate.idempotency;

/** Key names of idempotency records; all carry the tenant's hash tag. */
public final class IdempotencyKeys {

    private IdempotencyKeys() {
    }

    /**
     * The record of one agent's key for one tool. The agent's key is hashed, so that any printable key makes a bounded
     * Redis key and no key can reach into another scope.
     */
    public static String record(String tenant, String agent, String tool, String idempotencyKey) {
        return "tg:{" + tenant + "}:idem:" + IdempotencyStage.digest(agent + "\n" + tool + "\n" + idempotencyKey);
    }
}
