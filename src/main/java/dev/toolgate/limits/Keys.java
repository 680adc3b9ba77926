package dev.toolgate.limits;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Key names. Every key of a tenant starts with {@code tg:{tenant}:}; the braces are Redis Cluster's hash tag, so all
 * keys one call touches hash to one slot and one Lua script may touch them all.
 */
public final class Keys {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM");

    private Keys() {
    }

    static String prefix(String tenant) {
        return "tg:{" + tenant + "}:";
    }

    /** The hash of engaged runtime kill switches: field → reason. */
    public static String kill(String tenant) {
        return prefix(tenant) + "kill";
    }

    /** The channel a change of any tenant's kill switches is published on (the message: the tenant). */
    public static final String KILL_CHANNEL = "tg:kill-switches";

    /** The tenant of a key named by {@link #kill}, or null when {@code key} is not one. */
    static String killTenant(String key) {
        if (!key.startsWith("tg:{") || !key.endsWith("}:kill")) {
            return null;
        }
        String tenant = key.substring(4, key.length() - 6);
        return tenant.isEmpty() || tenant.indexOf('{') >= 0 || tenant.indexOf('}') >= 0 ? null : tenant;
    }

    /** A kill switch field: {@code *} (the whole tenant), {@code agent:x}, {@code tool:x} or {@code workflow:x}. */
    public static String killField(String kind, String value) {
        return kind + ":" + value;
    }

    public static String rate(String tenant, String limit, String subject) {
        return prefix(tenant) + "rate:" + limit + ":" + subject;
    }

    /** A run's ledger of one budget. */
    public static String runBudget(String tenant, String budget, String agent, String runId) {
        return prefix(tenant) + "budget:" + budget + ":run:" + agent + ":" + runId;
    }

    /** An agent's ledger of one budget for the UTC day of {@code now}. */
    public static String agentBudget(String tenant, String budget, String agent, Instant now) {
        return prefix(tenant) + "budget:" + budget + ":agent:" + agent + ":" + DAY.format(now.atZone(ZoneOffset.UTC));
    }

    /** A workflow's ledger of one budget for the UTC day of {@code now}. */
    public static String workflowBudget(String tenant, String budget, String workflow, Instant now) {
        return prefix(tenant) + "budget:" + budget + ":workflow:" + workflow + ":" + DAY.format(now.atZone(ZoneOffset.UTC));
    }

    /** The tenant's ledger of one budget for the UTC calendar month of {@code now}. */
    public static String tenantBudget(String tenant, String budget, Instant now) {
        return prefix(tenant) + "budget:" + budget + ":tenant:" + MONTH.format(now.atZone(ZoneOffset.UTC));
    }

    /** The end of the UTC day of {@code now}. */
    public static Instant endOfDay(Instant now) {
        return now.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The end of the UTC calendar month of {@code now}. */
    public static Instant endOfMonth(Instant now) {
        ZonedDateTime utc = now.atZone(ZoneOffset.UTC);
        return utc.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** A reservation: budget key → reserved amount, plus its lease. */
    public static String reservation(String tenant, String reservationId) {
        return prefix(tenant) + "resv:" + reservationId;
    }

    /** The tenant's open reservations by lease expiry (a sorted set). */
    public static String leases(String tenant) {
        return prefix(tenant) + "leases";
    }
}
