package dev.toolgate.ingress.mcp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Principal;
import io.smallrye.mutiny.Uni;

/** Session bindings in this instance's memory, for a gateway without Redis; expired ones are dropped as met. */
final class EmbeddedMcpSessions implements McpSessions {

    private record Binding(String owner, long expiresAtNanos) {
    }

    private final Map<String, Binding> bindings = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    EmbeddedMcpSessions() {
        this(System::nanoTime);
    }

    EmbeddedMcpSessions(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
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

    /** Drops expired bindings, so that sessions nobody ends do not pile up. */
    private void sweep() {
        long now = nanoTime.getAsLong();
        bindings.values().removeIf(b -> b.expiresAtNanos() - now <= 0);
    }

    /** Tenant, server and a digest of the id: another tenant's principal never even finds the binding. */
    private static String key(String server, String sessionId, Principal p) {
        return p.tenant() + "\n" + server + "\n"
                + CanonicalJson.sha256Hex(sessionId.getBytes(StandardCharsets.UTF_8));
    }
}
