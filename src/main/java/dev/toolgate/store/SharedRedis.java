package dev.toolgate.store;

import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.toolgate.config.ToolgateConfig;
import io.vertx.core.Vertx;

/**
 * The application's one Redis connection ({@code toolgate.redis}), shared by the limits, approval and idempotency
 * stores; empty when no Redis is configured, and then every store is embedded. Closed when the application stops.
 */
@ApplicationScoped
public class SharedRedis {

    private final Optional<RedisConnection> connection;
    private final Duration timeout;

    @Inject
    public SharedRedis(ToolgateConfig config, Vertx vertx) {
        this(config.redis().filter(url -> !url.isBlank()), config.redisTimeout(), vertx);
    }

    /**
     * @param url the Redis URL, or empty for the embedded stores
     * @param timeout how long each Redis call may take
     */
    public SharedRedis(Optional<String> url, Duration timeout, Vertx vertx) {
        this.connection = url.map(u -> new RedisConnection(vertx, u, timeout));
        this.timeout = timeout;
    }

    /** The connection, or empty when the stores are embedded. */
    public Optional<RedisConnection> connection() {
        return connection;
    }

    /** How long each Redis call may take ({@code toolgate.redis-timeout}). */
    public Duration timeout() {
        return timeout;
    }

    @PreDestroy
    public void close() {
        connection.ifPresent(RedisConnection::close);
    }
}
