package dev.toolgate.limits;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.toolgate.config.ToolgateConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Chooses the limits store: Redis when {@code toolgate.limits.redis} is set, the embedded store otherwise.
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
    LimitsStore limitsStore(ToolgateConfig config, Vertx vertx) {
        return config.limits().redis()
                .<LimitsStore> map(url -> new RedisLimitsStore(vertx, url, config.limits().timeout()))
                .orElseGet(EmbeddedLimitsStore::new);
    }

    void close(@Disposes LimitsStore store) {
        if (store instanceof RedisLimitsStore redis) {
            redis.close();
        }
    }

    /** Creates the store at start (on the main thread, never an event loop) and loads the Redis scripts. */
    void start(@Observes StartupEvent event, LimitsStore store, ToolgateConfig config) {
        if (store instanceof RedisLimitsStore redis) {
            try {
                redis.loadScripts().await().atMost(config.limits().timeout().plusSeconds(1));
                LOG.info("limits: Redis store, scripts loaded");
            } catch (LimitsUnavailableException e) {
                LOG.warnf("limits: Redis cannot be reached (%s); starting anyway, calls apply their failure mode "
                        + "until it can", e.getMessage());
            }
        } else {
            LOG.info("limits: embedded store (toolgate.limits.redis is not set): limits are per instance");
        }
    }
}
