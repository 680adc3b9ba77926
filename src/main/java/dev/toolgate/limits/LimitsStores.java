package dev.toolgate.limits;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.toolgate.store.SharedRedis;
import io.quarkus.runtime.StartupEvent;

/**
 * Chooses the limits store: Redis when {@code toolgate.redis} is set (on the connection every store shares), the
 * embedded store otherwise.
 * <p>
 * At start the Redis scripts are loaded. A Redis that cannot be reached does not stop startup: Redis may come up
 * after toolgate (in Kubernetes the order is not guaranteed), calls meanwhile fail and each tool's failure mode
 * decides, and the scripts load on first use. A script that Redis refuses is a bug and does stop startup.
 */
@ApplicationScoped
public class LimitsStores {

    private static final Logger LOG = Logger.getLogger(LimitsStores.class);

    @Produces
    @Singleton
    LimitsStore limitsStore(SharedRedis redis) {
        return redis.connection()
                .<LimitsStore> map(RedisLimitsStore::new)
                .orElseGet(EmbeddedLimitsStore::new);
    }

    /** Creates the store at start (on the main thread, never an event loop) and loads the Redis scripts. */
    void start(@Observes StartupEvent event, LimitsStore store, SharedRedis redis) {
        if (store instanceof RedisLimitsStore redisStore) {
            try {
                redisStore.loadScripts().await().atMost(redis.timeout().plusSeconds(1));
                LOG.info("limits: Redis store, scripts loaded");
            } catch (LimitsUnavailableException e) {
                LOG.warnf("limits: Redis cannot be reached (%s); starting anyway, calls apply their failure mode "
                        + "until it can", e.getMessage());
            }
        } else {
            LOG.info("limits: embedded store (toolgate.redis is not set): limits are per instance");
        }
    }
}
