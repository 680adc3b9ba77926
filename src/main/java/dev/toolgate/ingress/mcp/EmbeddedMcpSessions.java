package dev.toolgate.ingress.mcp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Principal;
import io.smallrye.mutiny.Uni;

/**
 * Session bindings in this instance's memory, for a gateway without Redis; an expired one is refused when met and
 * dropped by the next sweep.
 */
final class EmbeddedMcpSessions implements McpSessions {

    private record Binding(String owner, long expiresAtNanos) {
    }

    /** How often at most the bindings are swept for expired ones (a sweep reads them all). */
    private static final long SWEEP_EVERY_NANOS = 60_000_000_000L;

    private final Map<String, Binding> bindings = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private final java.util.concurrent.atomic.AtomicLong lastSweep;

    EmbeddedMcpSessions() {
        this(System::nanoTime);
    }

    EmbeddedMcpSessions(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.lastSweep = new java.util.concurrent.atomic.AtomicLong(nanoTime.getAsLong());
    }

    @Override
    public Uni<Void> bind(String server, String sessionId, Principal opener, Duration idleTtl) {
        return Uni.createFrom().item(() -> {
            sweep();
            bindings.put(key(server, sessionId, opener), new Binding(McpSessions.owner(opener),
                    nanoTime.getAsLong() + idleTtl.toNanos()));
            return null;
        });
    }

    @Override
    public Uni<Standing> check(String server, String sessionId, Principal presenter, Duration idleTtl) {
        return Uni.createFrom().item(() -> {
            String key = key(server, sessionId, presenter);
            long now = nanoTime.getAsLong();
            Binding kept = bindings.computeIfPresent(key, (k, b) -> b.expiresAtNanos() - now <= 0
                    ? null
                    : b.owner().equals(McpSessions.owner(presenter)) ? new Binding(b.owner(), now + idleTtl.toNanos())
                            : b);
            return kept != null && kept.owner().equals(McpSessions.owner(presenter)) ? Standing.OWNED
                    : Standing.NOT_FOUND;
        });
    }

    @Override
    public Uni<Void> end(String server, String sessionId, Principal owner) {
        return Uni.createFrom().item(() -> {
            bindings.computeIfPresent(key(server, sessionId, owner),
                    (k, b) -> b.owner().equals(McpSessions.owner(owner)) ? null : b);
            return null;
        });
    }

    /** Drops expired bindings, at most once a minute, so that sessions nobody ends do not pile up. */
    private void sweep() {
        long now = nanoTime.getAsLong();
        long last = lastSweep.get();
        if (now - last >= SWEEP_EVERY_NANOS && lastSweep.compareAndSet(last, now)) {
            bindings.values().removeIf(b -> b.expiresAtNanos() - now <= 0);
        }
    }

    /** Tenant, server and a digest of the id: another tenant's principal never even finds the binding. */
    private static String key(String server, String sessionId, Principal p) {
        return p.tenant() + "\n" + server + "\n"
                + CanonicalJson.sha256Hex(sessionId.getBytes(StandardCharsets.UTF_8));
    }
}
