package dev.toolgate.limits;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.toolgate.call.Principal;

/**
 * This instance's copy of every tenant's engaged runtime kill switches (field → reason, see {@link Keys#killField}),
 * read without any store: a switch engaged before Redis became unreachable keeps stopping calls during the outage.
 * {@link KillSwitchFeed} keeps it current; the admin API writes through it after the store took a change.
 *
 * <h2>Races</h2>
 * A full read of the store may start before a change and end after it. So that such a read does not undo a change this
 * instance already knows, each tenant remembers when its switches last changed here, and a full read started before
 * that leaves the tenant as it is (the next read, or the change's notification, brings it up to date).
 *
 * <h2>Threads</h2>
 * Reads are lock-free over an immutable snapshot; writes are serialised.
 */
public final class KillSwitchBoard {

    /** The engaged switches and when they last changed, per tenant. */
    private record Tenant(Map<String, String> engaged, long changedAt) {
    }

    private volatile Map<String, Tenant> tenants = Map.of();
    /** Counts every change, so that a full read can tell whether a tenant changed while it ran. */
    private long clock;

    /** A full read starts: the mark to hand back to {@link #replaceAll}. */
    public synchronized long mark() {
        return ++clock;
    }

    /** The first engaged switch that stops a call of {@code who} to {@code tool}, if any. */
    public Optional<LimitsStore.Killed> stopping(Principal who, String tool) {
        Tenant tenant = tenants.get(who.tenant());
        if (tenant == null || tenant.engaged().isEmpty()) {
            return Optional.empty();
        }
        for (String field : LimitsPlan.killFields(who, tool)) {
            String reason = tenant.engaged().get(field);
            if (reason != null) {
                return Optional.of(new LimitsStore.Killed(field, reason));
            }
        }
        return Optional.empty();
    }

    /** The tenant's engaged switches, field → reason. */
    public Map<String, String> engaged(String tenant) {
        Tenant known = tenants.get(tenant);
        return known == null ? Map.of() : known.engaged();
    }

    /** How many switches are engaged, over every tenant. */
    public int count() {
        return tenants.values().stream().mapToInt(t -> t.engaged().size()).sum();
    }

    /** One switch engaged ({@code reason} present) or cleared, as the store took it. */
    public synchronized void apply(String tenant, String field, Optional<String> reason) {
        Map<String, String> engaged = new HashMap<>(engaged(tenant));
        reason.ifPresentOrElse(why -> engaged.put(field, why), () -> engaged.remove(field));
        put(tenant, engaged);
    }

    /** A tenant's switches as a read started at {@code mark} found them, unless they changed here since. */
    public synchronized void replace(String tenant, Map<String, String> engaged, long mark) {
        Tenant known = tenants.get(tenant);
        if (known == null || known.changedAt() <= mark) {
            put(tenant, engaged);
        }
    }

    /**
     * Every tenant's switches as a full read found them; tenants the read does not name have none. A tenant changed
     * here after {@code mark} is left as it is.
     */
    public synchronized void replaceAll(Map<String, Map<String, String>> read, long mark) {
        Map<String, Tenant> next = new HashMap<>();
        tenants.forEach((name, tenant) -> {
            if (tenant.changedAt() > mark) {
                next.put(name, tenant);
            }
        });
        read.forEach((name, engaged) -> {
            if (!next.containsKey(name) && !engaged.isEmpty()) {
                next.put(name, new Tenant(Map.copyOf(engaged), mark));
            }
        });
        tenants = Map.copyOf(next);
    }

    private void put(String tenant, Map<String, String> engaged) {
        Map<String, Tenant> next = new HashMap<>(tenants);
        next.put(tenant, new Tenant(Map.copyOf(engaged), ++clock));
        tenants = Map.copyOf(next);
    }
}
