package dev.toolgate.approval;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.toolgate.store.SharedRedis;
import dev.toolgate.store.StoreUnavailableException;
import io.quarkus.runtime.StartupEvent;

/**
 * Chooses the approval store: Redis when {@code toolgate.redis} is set (on the connection every store shares), the
 * embedded store otherwise. At start the Redis scripts are loaded; a Redis that cannot be reached does not stop
 * startup (approvals fail closed until it can, and the scripts load on first use), a script Redis refuses does.
 */
@ApplicationScoped
public class ApprovalStores {

    private static final Logger LOG = Logger.getLogger(ApprovalStores.class);

    @Produces
    @Singleton
    ApprovalStore approvalStore(SharedRedis redis) {
        return redis.connection()
                .<ApprovalStore> map(connection -> new RedisApprovalStore(connection, Clock.systemUTC()))
                .orElseGet(EmbeddedApprovalStore::new);
    }

    /** Creates the store at start (on the main thread, never an event loop) and loads the Redis scripts. */
    void start(@Observes StartupEvent event, ApprovalStore store, SharedRedis redis) {
        if (store instanceof RedisApprovalStore redisStore) {
            try {
                redisStore.loadScripts().await().atMost(redis.timeout().plusSeconds(1));
                LOG.info("approvals: Redis store, scripts loaded");
            } catch (StoreUnavailableException e) {
                LOG.warnf("approvals: Redis cannot be reached (%s); starting anyway, approvals fail until it can",
                        e.getMessage());
            }
        } else {
            LOG.info("approvals: embedded store (toolgate.redis is not set): requests live in this instance");
        }
    }
}
