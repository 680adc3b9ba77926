package dev.toolgate.store;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The one Redis client that the limits, approval and idempotency stores share: the connection pool, the per-call
 * time limit, and Lua scripts called by SHA-1.
 *
 * <h2>Connections</h2>
 * Pools of connections that the Vert.x client opens on demand: a connection that fails is dropped and the next call
 * opens a new one, so the stores work again as soon as Redis is back, without a restart. Each event loop has a pool of
 * its own (up to {@value #POOL_SIZE} connections), so that a call's command and its answer stay on the event loop
 * that serves the call: a connection shared between event loops lives on one of them, and every command sent on it
 * from another would be handed across, and its answer back. Callers off an event loop share one more pool.
 *
 * <h2>Scripts</h2>
 * {@link #eval} sends {@code EVALSHA}; when Redis answers {@code NOSCRIPT} (it restarted, failed over or was flushed)
 * the script is loaded and the call retried once. {@link #loadAll} loads scripts ahead, at start.
 *
 * <h2>Time limits</h2>
 * {@link #call} fails with {@link StoreUnavailableException} when Redis has not answered within the timeout (a timer on
 * the caller's Vert.x context, so the failure arrives on the caller's event loop). An operation that timed out may
 * still be applied by Redis later; each store says what that means for its state.
 *
 * <h2>Threads</h2>
 * Nothing blocks: every method returns at once and completes on a Vert.x event loop.
 */
public final class RedisConnection implements AutoCloseable {

    /** Connections per pool: Redis runs commands one at a time, so a few connections keep it busy. */
    static final int POOL_SIZE = 16;
    /** Calls waiting for a connection before new ones fail at once (each waits at most the timeout anyway). */
    private static final int POOL_WAITING = 8192;

    private final Vertx vertx;
    private final Redis shared;
    private final Map<Thread, Redis> perEventLoop = new ConcurrentHashMap<>();
    private final RedisOptions options;
    private final Duration timeout;

    /**
     * @param url a {@code redis://host:port} URL (it may carry a password; it is never logged)
     * @param timeout how long each call may take
     */
    public RedisConnection(Vertx vertx, String url, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the Redis timeout (toolgate.redis-timeout) must be positive");
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
        this.shared = Redis.createClient(vertx, options);
        this.options = options;
        this.timeout = timeout;
    }

    /** The pool of the event loop this runs on, or the shared one off the event loops. */
    private Redis redis() {
        if (!Context.isOnEventLoopThread()) {
            return shared;
        }
        return perEventLoop.computeIfAbsent(Thread.currentThread(),
                ignored -> Redis.createClient(vertx, new RedisOptions(options)));
    }

    /** How long each call may take. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Runs one operation under the timeout; each subscription runs it again. Fails with
     * {@link IllegalArgumentException} when the operation refused its arguments (a bug in the caller), with
     * {@link ScriptRefusedException} when Redis refused a script, with the operation's own
     * {@link StoreUnavailableException}, and with a {@link StoreUnavailableException} for anything else (Redis down,
     * slow, or answering what the operation did not expect).
     */
    public <T> Uni<T> call(Supplier<Future<T>> operation) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean done = new AtomicBoolean();
            long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
                if (done.compareAndSet(false, true)) {
                    emitter.fail(new StoreUnavailableException("Redis did not answer within " + timeout));
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
                        emitter.fail(unavailable(result.cause()));
                    }
                }
            });
        });
    }

    /** Sends one command (no time limit of its own: run it inside {@link #call}). */
    public Future<Response> send(Request request) {
        return redis().send(request);
    }

    /**
     * Runs {@code script}, loading it first when Redis does not know it (no time limit of its own: run it inside
     * {@link #call}).
     *
     * @param args each a {@link String}, or a {@code byte[]} sent as is (binary-safe)
     */
    public Future<Response> eval(RedisScript script, List<String> keys, List<?> args) {
        Redis redis = redis();
        return redis.send(evalsha(script, keys, args)).recover(failure -> {
            if (failure.getMessage() == null || !failure.getMessage().startsWith("NOSCRIPT")) {
                return Future.failedFuture(failure);
            }
            return load(redis, script).compose(loaded -> redis.send(evalsha(script, keys, args)));
        });
    }

    /**
     * Loads every script, under the timeout. Fails with {@link StoreUnavailableException} when Redis cannot be reached,
     * and with {@link ScriptRefusedException} when Redis refuses one (it does not compile: a bug).
     */
    public Uni<Void> loadAll(List<RedisScript> scripts) {
        return call(() -> {
            Redis redis = redis();
            Future<Void> chain = Future.succeededFuture();
            for (RedisScript script : scripts) {
                chain = chain.compose(nothing -> load(redis, script));
            }
            return chain;
        });
    }

    /**
     * Listens on a Pub/Sub channel, on a connection of its own (a subscribed connection can do nothing else), until the
     * returned handle is closed. A lost connection is reopened every {@code retry}; {@code subscribed} runs each time
     * the subscription stands (from then on no message is missed), {@code lost} each time it falls.
     *
     * @param messages called with each message's payload, on a Vert.x event loop
     */
    public AutoCloseable subscribe(String channel, Duration retry, Consumer<String> messages, Runnable subscribed,
            Runnable lost) {
        return new Subscriber(vertx, new RedisOptions(options).setMaxPoolSize(1), channel, retry, messages,
                subscribed, lost).start();
    }

    @Override
    public void close() {
        shared.close();
        perEventLoop.values().forEach(Redis::close);
    }

    private static Future<Void> load(Redis redis, RedisScript script) {
        return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.text()))
                .transform(result -> {
                    if (result.failed()) {
                        Throwable cause = result.cause();
                        if (cause.getMessage() != null && cause.getMessage().startsWith("ERR")) {
                            return Future.failedFuture(new ScriptRefusedException(
                                    "Redis refused the script " + script.name() + ": " + cause.getMessage()));
                        }
                        return Future.failedFuture(cause);
                    }
                    if (!script.sha().equals(result.result().toString())) {
                        return Future.failedFuture(new ScriptRefusedException("Redis loaded " + script.name()
                                + " as " + result.result() + ", expected " + script.sha()));
                    }
                    return Future.succeededFuture();
                });
    }

    private static Request evalsha(RedisScript script, List<String> keys, List<?> args) {
        Request request = Request.cmd(Command.EVALSHA).arg(script.sha()).arg(keys.size());
        keys.forEach(request::arg);
        for (Object arg : args) {
            switch (arg) {
                case String s -> request.arg(s);
                case byte[] bytes -> request.arg(bytes);
                default -> throw new IllegalArgumentException("a script argument is a String or a byte[], not "
                        + arg.getClass().getSimpleName());
            }
        }
        return request;
    }

    private static Throwable unavailable(Throwable cause) {
        if (cause instanceof StoreUnavailableException || cause instanceof IllegalArgumentException
                || cause instanceof ScriptRefusedException) {
            return cause;
        }
        return new StoreUnavailableException("Redis: " + cause.getMessage(), cause);
    }
}
