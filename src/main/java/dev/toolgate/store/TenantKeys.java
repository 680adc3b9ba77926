package dev.toolgate.store;

/**
 * The prefix of every key of a tenant, {@code tg:{tenant}:}: the braces are Redis Cluster's hash tag, so that all keys
 * of one tenant hash to one slot and one Lua script may touch them all.
 */
public final class TenantKeys {

    private TenantKeys() {
    }

    /**
     * @throws IllegalArgumentException when the tenant is empty or holds a brace (it would move the hash tag): a bug,
     *         tenants come from the contract
     */
    public static String prefix(String tenant) {
        if (tenant == null || tenant.isEmpty() || tenant.indexOf('{') >= 0 || tenant.indexOf('}') >= 0) {
            throw new IllegalArgumentException("a tenant is a non-empty name without braces");
        }
        return "tg:{" + tenant + "}:";
    }

    /**
     * Checks that {@code key} is one of the tenant's keys.
     *
     * @throws IllegalArgumentException otherwise: a bug in the caller
     */
    public static String own(String tenant, String key) {
        if (key == null || !key.startsWith(prefix(tenant)) || key.length() == prefix(tenant).length()) {
            throw new IllegalArgumentException("the key is not one of the tenant's keys");
        }
        return key;
    }
}
