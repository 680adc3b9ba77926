package dev.toolgate.limits;

import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.toolgate.call.AgentSpec;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.Active;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;

/**
 * Releases reservations whose call never settled (a crashed instance, an unreported check) once their lease has run
 * out, for every tenant of the contract, every {@code toolgate.limits.sweep-interval}. Releasing is idempotent in the
 * store, so several instances sweeping the same tenant never release one reservation twice.
 */
@ApplicationScoped
@Startup
public class LeaseSweeper {

    private static final Logger LOG = Logger.getLogger(LeaseSweeper.class);

    private final LimitsStore store;
    private final Active active;
    private final Vertx vertx;
    private final long intervalMillis;
    private long timer = -1;

    LeaseSweeper(LimitsStore store, Active active, Vertx vertx, ToolgateConfig config) {
        this.store = store;
        this.active = active;
        this.vertx = vertx;
        this.intervalMillis = Math.max(100, config.limits().sweepInterval().toMillis());
    }

    @PostConstruct
    void start() {
        timer = vertx.setPeriodic(intervalMillis, id -> sweep());
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    void sweep() {
        Set<String> tenants = new TreeSet<>();
        try {
            for (AgentSpec agent : active.snapshot().contract().agents().values()) {
                tenants.add(agent.tenant());
            }
        } catch (IllegalStateException notLoaded) {
            return;
        }
        Instant now = Instant.now();
        for (String tenant : tenants) {
            store.releaseExpired(tenant, now).subscribe().with(
                    released -> {
                        if (released > 0) {
                            LOG.debugf("released %d expired reservations of tenant %s", released, tenant);
                        }
                    },
                    fault -> LOG.debugf("lease sweep of tenant %s failed: %s", tenant, fault.toString()));
        }
    }
}
