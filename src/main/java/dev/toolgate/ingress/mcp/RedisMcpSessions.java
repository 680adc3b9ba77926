package dev.toolgate.ingress.mcp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Principal;
import dev.toolgate.store.RedisConnection;
import dev.toolgate.store.TenantKeys;
import io.smallrye.mutiny.Uni;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Session bindings in Redis, shared by every instance: one string per session,
 * {@code tg:{tenant}:mcp-session:{server}:{sha256 of the id}} holding the owner, expiring after the idle time to live
 * (Redis's clock). A check by the owner renews it with {@code GETEX}.
 */
final class RedisMcpSessions implements McpSessions {

    private final RedisConnection redis;

    RedisMcpSessions(RedisConnection redis) {
        this.redis = redis;
    }

    @Override
    public Uni<Void> bind(String server, String sessionId, Principal opener, Duration idleTtl) {
        return redis.call(() -> redis.send(Request.cmd(Command.SET).arg(key(server, sessionId, opener))
                .arg(McpSessions.owner(opener)).arg("PX").arg(millis(idleTtl))).mapEmpty());
    }

    @Override
    public Uni<Standing> check(String server, String sessionId, Principal presenter, Duration idleTtl) {
        String key = key(server, sessionId, presenter);
        return redis.call(() -> redis.send(Request.cmd(Command.GET).arg(key)).compose(owner -> {
            if (!owns(owner, presenter)) {
                return io.vertx.core.Future.succeededFuture(Standing.NOT_FOUND);
            }
            return redis.send(Request.cmd(Command.PEXPIRE).arg(key).arg(millis(idleTtl)))
                    .map(renewed -> Standing.OWNED);
        }));
    }

    @Override
    public Uni<Void> end(String server, String sessionId, Principal owner) {
        String key = key(server, sessionId, owner);
        return redis.call(() -> redis.send(Request.cmd(Command.GET).arg(key)).compose(kept -> owns(kept, owner)
                ? redis.send(Request.cmd(Command.DEL).arg(key)).mapEmpty()
                : io.vertx.core.Future.<Void> succeededFuture()));
    }

    private static boolean owns(Response owner, Principal p) {
        return owner != null && owner.toString().equals(McpSessions.owner(p));
    }

    private static long millis(Duration ttl) {
        return Math.max(1, ttl.toMillis());
    }

    private static String key(String server, String sessionId, Principal p) {
        return TenantKeys.prefix(p.tenant()) + "mcp-session:" + server + ":"
                + CanonicalJson.sha256Hex(sessionId.getBytes(StandardCharsets.UTF_8));
    }
}
