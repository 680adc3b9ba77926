package dev.toolgate.limits;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.toolgate.store.RedisConnection;
import dev.toolgate.store.StoreUnavailableException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The limits store in Redis, shared by every instance: each operation is one Lua script (or one command), one round
 * trip, atomic. The scripts are documented in their headers under {@code src/main/resources/limits/}.
 *
 * <h2>Connections</h2>
 * The application's one {@link RedisConnection}, shared with the other stores: it reconnects after an outage and
 * reloads scripts that Redis forgot.
 *
 * <h2>Time limits</h2>
 * Every operation fails with {@link LimitsUnavailableException} when Redis has not answered within the connection's
 * timeout. An operation that timed out may still be applied by Redis later; a reservation taken that way is released
 * when its lease expires.
 *
 * <h2>Threads</h2>
 * Nothing blocks: every method returns at once and its {@code Uni} completes on a Vert.x event loop. Each subscription
 * sends the operation again.
 */
public final class RedisLimitsStore implements LimitsStore {

    /** Reservations released per script run by {@link #releaseExpired}, so one sweep never stalls Redis for long. */
    static final int RELEASE_BATCH = 256;
    /** How soon a lost kill switch subscription is reopened. */
    private static final java.time.Duration WATCH_RETRY = java.time.Duration.ofSeconds(1);

    private final RedisConnection redis;

    /** @param redis the connection; this store does not own it and never closes it */
    public RedisLimitsStore(RedisConnection redis) {
        this.redis = redis;
    }

    /**
     * Loads the scripts into Redis. Fails with {@link LimitsUnavailableException} when Redis cannot be reached (the
     * scripts are then loaded on first use) and with an {@link IllegalStateException} when Redis refuses one.
     */
    public Uni<Void> loadScripts() {
        return redis.loadAll(RedisScripts.ALL).onFailure(StoreUnavailableException.class).transform(UNAVAILABLE);
    }

    @Override
    public Uni<ReserveResult> reserve(ReserveRequest request) {
        return call(() -> {
            RequestChecks.reserve(request);
            return redis.eval(RedisScripts.RESERVE, ReserveCodec.keys(request), ReserveCodec.args(request))
                    .map(reply -> ReserveCodec.result(request, reply));
        });
    }

    @Override
    public Uni<SettleResult> settle(SettleRequest request) {
        return settleOrRelease(request, "settle");
    }

    @Override
    public Uni<SettleResult> release(SettleRequest request) {
        return settleOrRelease(request, "release");
    }

    private Uni<SettleResult> settleOrRelease(SettleRequest request, String mode) {
        return call(() -> {
            RequestChecks.settle(request);
            List<String> keys = new ArrayList<>(2 + request.budgetKeys().size());
            keys.add(Keys.reservation(request.tenant(), request.reservationId()));
            keys.add(Keys.leases(request.tenant()));
            keys.addAll(request.budgetKeys());
            List<String> args = List.of(mode, Long.toString(request.actualUsdMicros()), request.reservationId());
            return redis.eval(RedisScripts.SETTLE, keys, args)
                    .map(reply -> reply.toInteger() == 1 ? SettleResult.SETTLED : SettleResult.GONE);
        });
    }

    @Override
    public Uni<Integer> releaseExpired(String tenant, Instant now) {
        return releaseBatches(tenant, Micros.of(now), 0);
    }

    private Uni<Integer> releaseBatches(String tenant, long now, int releasedSoFar) {
        List<String> args = List.of(Long.toString(now), Integer.toString(RELEASE_BATCH), Keys.reservation(tenant, ""));
        return call(() -> redis.eval(RedisScripts.RELEASE_EXPIRED, List.of(Keys.leases(tenant)), args))
                .chain(reply -> {
                    int released = releasedSoFar + reply.get(0).toInteger();
                    return reply.get(1).toInteger() < RELEASE_BATCH ? Uni.createFrom().item(released)
                            : releaseBatches(tenant, now, released);
                });
    }

    @Override
    public Uni<BudgetState> budget(String tenant, String budgetKey) {
        return call(() -> {
            RequestChecks.keys(tenant, List.of(budgetKey));
            return redis.send(Request.cmd(Command.HMGET).arg(budgetKey).arg("cap").arg("spent").arg("reserved"))
                    .map(reply -> new BudgetState(number(reply.get(0)), number(reply.get(1)), number(reply.get(2))));
        });
    }

    @Override
    public Uni<Void> resetBudget(String tenant, String budgetKey) {
        return call(() -> {
            RequestChecks.keys(tenant, List.of(budgetKey));
            return redis.eval(RedisScripts.RESET, List.of(budgetKey), List.of()).mapEmpty();
        });
    }

    @Override
    public Uni<Map<String, String>> killSwitches(String tenant) {
        return call(() -> redis.send(Request.cmd(Command.HGETALL).arg(Keys.kill(tenant))).map(RedisLimitsStore::fields));
    }

    @Override
    public Uni<Map<String, Map<String, String>>> allKillSwitches() {
        return killKeys("0", new ArrayList<>()).chain(keys -> {
            Map<String, Map<String, String>> all = new HashMap<>();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (String key : keys) {
                String tenant = Keys.killTenant(key);
                if (tenant != null) {
                    chain = chain.chain(() -> killSwitches(tenant).invoke(engaged -> all.put(tenant, engaged))
                            .replaceWithVoid());
                }
            }
            return chain.map(nothing -> all);
        });
    }

    /** Every tenant's kill switch hash, by SCAN (a page per round trip, so Redis is never held for long). */
    private Uni<List<String>> killKeys(String cursor, List<String> found) {
        return call(() -> redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(Keys.kill("*"))
                .arg("COUNT").arg(1000))).chain(reply -> {
                    reply.get(1).forEach(key -> found.add(key.toString()));
                    String next = reply.get(0).toString();
                    return next.equals("0") ? Uni.createFrom().item(found) : killKeys(next, found);
                });
    }

    @Override
    public Uni<Void> kill(String tenant, String field, Optional<String> reason) {
        return call(() -> {
            RequestChecks.killField(field);
            return redis.eval(RedisScripts.KILL, List.of(Keys.kill(tenant)), List.of(field,
                    reason.isPresent() ? "engage" : "clear", reason.orElse(""), Keys.KILL_CHANNEL, tenant)).mapEmpty();
        });
    }

    @Override
    public AutoCloseable watchKillSwitches(Consumer<String> changed, Runnable watching, Runnable lost) {
        return redis.subscribe(Keys.KILL_CHANNEL, WATCH_RETRY, changed, watching, lost);
    }

    private static Map<String, String> fields(Response reply) {
        Map<String, String> fields = new HashMap<>();
        if (reply != null) {
            // RESP3 answers a map and RESP2 a flat list of field, value, ...: the client reads both as a map
            reply.getKeys().forEach(key -> fields.put(key, reply.get(key).toString()));
        }
        return Map.copyOf(fields);
    }

    private static long number(Response value) {
        return value == null ? 0 : value.toLong();
    }

    /**
     * Runs one operation under the timeout. Arguments the stores refuse fail as {@link IllegalArgumentException}; a
     * Redis that is down, slow or answers wrongly fails as {@link LimitsUnavailableException}.
     */
    private <T> Uni<T> call(Supplier<Future<T>> operation) {
        return redis.call(operation).onFailure(StoreUnavailableException.class).transform(UNAVAILABLE);
    }

    private static final Function<StoreUnavailableException, Throwable> UNAVAILABLE = cause -> cause instanceof LimitsUnavailableException
            ? cause
            : new LimitsUnavailableException(cause.getMessage(), cause.getCause());
}
