package dev.toolgate.idempotency;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.toolgate.store.SharedRedis;
import dev.toolgate.store.StoreUnavailableException;
import io.quarkus.runtime.StartupEvent;

/**
 * Chooses the idempotency store: Redis when {@code toolgate.redis} is set (on the connection every store shares),
 * the embedded store otherwise. At start the Redis scripts are loaded; a Redis that cannot be reached does not stop
 * startup (calls with an {@code Idempotency-Key} fail closed until it can, and the scripts load on first use), a
 * script Redis refuses does.
 */
@ApplicationScoped
public class IdempotencyStores {

    private static final Logger LOG = Logger.getLogger(IdempotencyStores.class);

    @Produces
    @Singleton
    IdempotencyStore idempotencyStore(SharedRedis redis) {
        return redis.connection()
                .<IdempotencyStore> map(RedisIdempotencyStore::new)
                .orElseGet(EmbeddedIdempotencyStore::new);
    }

    /** Creates the store at start (on the main thread, never an event loop) and loads the Redis scripts. */
    void start(@Observes StartupEvent event, IdempotencyStore store, SharedRedis redis) {
        if (store instanceof RedisIdempotencyStore redisStore) {
            try {
                redisStore.loadScripts().await().atMost(redis.timeout().plusSeconds(1));
                LOG.info("idempotency: Redis store, scripts loaded");
            } catch (StoreUnavailableException e) {
                LOG.warnf("idempotency: Redis cannot be reached (%s); starting anyway, calls with an "
                        + "Idempotency-Key fail until it can", e.getMessage());
            }
        } else {
            LOG.info("idempotency: embedded store (toolgate.redis is not set): records live in this instance");
        }
    }
}
