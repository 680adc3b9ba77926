package dev.toolgate.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The limits store in Redis, shared by every instance: each operation is one Lua script (or one command), one round
 * trip, atomic. The scripts are documented in their headers under {@code src/main/resources/limits/}.
 *
 * <h2>Connections</h2>
 * A pool of connections that the Vert.x client opens on demand: a connection that fails is dropped and the next call
 * opens a new one, so the store works again as soon as Redis is back, without a restart. Scripts are called by SHA-1
 * and reloaded when Redis answers {@code NOSCRIPT}.
 *
 * <h2>Time limits</h2>
 * Every operation fails with {@link LimitsUnavailableException} when Redis has not answered within the timeout (a
 * timer on the caller's Vert.x context, so the failure arrives on the caller's event loop). An operation that timed
 * out may still be applied by Redis later; a reservation taken that way is released when its lease expires.
 *
 * <h2>Threads</h2>
 * Nothing blocks: every method returns at once and its {@code Uni} completes on a Vert.x event loop. Each subscription
 * sends the operation again.
 */
public final class RedisLimitsStore implements LimitsStore, AutoCloseable {

    /** Connections per store: Redis runs scripts one at a time, so a few connections keep it busy. */
    private static final int POOL_SIZE = 16;
    /** Calls waiting for a connection before new ones fail at once (each waits at most the timeout anyway). */
    private static final int POOL_WAITING = 8192;
    /** Reservations released per script run by {@link #releaseExpired}, so one sweep never stalls Redis for long. */
    static final int RELEASE_BATCH = 256;

    private final Vertx vertx;
    private final Redis redis;
    private final RedisScripts scripts;
    private final Duration timeout;

    /**
     * @param url a {@code redis://host:port} URL (it may carry a password; it is never logged)
     * @param timeout how long each operation may take
     */
    public RedisLimitsStore(Vertx vertx, String url, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the limits timeout must be positive");
        }
        RedisOptions options = new RedisOptions()
                .setConnectionString(url)
                .setMaxPoolSize(POOL_SIZE)
                .setMaxPoolWaiting(POOL_WAITING);
        options.getNetClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .setTcpNoDelay(true)
                .setTcpKeepAlive(true);
        this.vertx = vertx;
        this.redis = Redis.createClient(vertx, options);
        this.scripts = new RedisScripts(redis);
        this.timeout = timeout;
    }

    /**
     * Loads the scripts into Redis. Fails with {@link LimitsUnavailableException} when Redis cannot be reached (the
     * scripts are then loaded on first use) and with an {@link IllegalStateException} when Redis refuses one.
     */
    public Uni<Void> loadScripts() {
        return call(scripts::loadAll);
    }

    @Override
    public Uni<ReserveResult> reserve(ReserveRequest request) {
        return call(() -> {
            RequestChecks.reserve(request);
            return scripts.eval(RedisScripts.RESERVE, ReserveCodec.keys(request), ReserveCodec.args(request))
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
            return scripts.eval(RedisScripts.SETTLE, keys, args)
                    .map(reply -> reply.toInteger() == 1 ? SettleResult.SETTLED : SettleResult.GONE);
        });
    }

    @Override
    public Uni<Integer> releaseExpired(String tenant, Instant now) {
        return releaseBatches(tenant, Micros.of(now), 0);
    }

    private Uni<Integer> releaseBatches(String tenant, long now, int releasedSoFar) {
        List<String> args = List.of(Long.toString(now), Integer.toString(RELEASE_BATCH), Keys.reservation(tenant, ""));
        return call(() -> scripts.eval(RedisScripts.RELEASE_EXPIRED, List.of(Keys.leases(tenant)), args))
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
            return scripts.eval(RedisScripts.RESET, List.of(budgetKey), List.of()).mapEmpty();
        });
    }

    @Override
    public Uni<Void> kill(String tenant, String field, Optional<String> reason) {
        return call(() -> {
            RequestChecks.killField(field);
            Request request = reason
                    .map(why -> Request.cmd(Command.HSET).arg(Keys.kill(tenant)).arg(field).arg(why))
                    .orElseGet(() -> Request.cmd(Command.HDEL).arg(Keys.kill(tenant)).arg(field));
            return redis.send(request).mapEmpty();
        });
    }

    @Override
    public void close() {
        redis.close();
    }

    private static long number(Response value) {
        return value == null ? 0 : value.toLong();
    }

    /**
     * Runs one operation under the timeout. Arguments the stores refuse fail as {@link IllegalArgumentException}; a
     * Redis that is down, slow or answers wrongly fails as {@link LimitsUnavailableException}.
     */
    private <T> Uni<T> call(Supplier<Future<T>> operation) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean done = new AtomicBoolean();
            long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
                if (done.compareAndSet(false, true)) {
                    emitter.fail(new LimitsUnavailableException("Redis did not answer within " + timeout));
                }
            });
            Future<T> future;
            try {
                future = operation.get();
            } catch (RuntimeException e) {
                future = Future.failedFuture(e);
            }
            future.onComplete(result -> {
                if (done.compareAndSet(false, true)) {
                    vertx.cancelTimer(timer);
                    if (result.succeeded()) {
                        emitter.complete(result.result());
                    } else {
                        emitter.fail(UNAVAILABLE.apply(result.cause()));
                    }
                }
            });
        });
    }

    private static final Function<Throwable, Throwable> UNAVAILABLE = cause -> {
        if (cause instanceof LimitsUnavailableException || cause instanceof IllegalArgumentException
                || cause instanceof RedisScripts.ScriptRefusedException) {
            return cause;
        }
        return new LimitsUnavailableException("Redis: " + cause.getMessage(), cause);
    };
}
