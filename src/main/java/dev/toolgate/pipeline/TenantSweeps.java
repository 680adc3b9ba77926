package dev.toolgate.pipeline;

import java.time.Duration;
import java.util.function.Function;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Periodic housekeeping per tenant (releasing expired reservations, expiring approval requests): runs a task for every
 * tenant of the active contract at a fixed interval, on the event loop, never overlapping itself for a tenant's task
 * longer than one interval. A failing task is logged at DEBUG and tried again next time.
 */
@ApplicationScoped
public class TenantSweeps {

    private static final Logger LOG = Logger.getLogger(TenantSweeps.class);

    private final Vertx vertx;
    private final Active active;
    private final java.util.List<Long> timers = new java.util.concurrent.CopyOnWriteArrayList<>();

    TenantSweeps(Vertx vertx, Active active) {
        this.vertx = vertx;
        this.active = active;
    }

    /**
     * Starts a sweep.
     *
     * @param name what the sweep does, for logs
     * @param interval how often it runs (at least 100 ms)
     * @param task the work for one tenant
     */
    public void every(String name, Duration interval, Function<String, Uni<?>> task) {
        long millis = Math.max(100, interval.toMillis());
        timers.add(vertx.setPeriodic(millis, id -> {
            for (String tenant : active.tenants()) {
                Uni.createFrom().deferred(() -> task.apply(tenant)).subscribe().with(done -> {
                }, fault -> LOG.debugf("%s of tenant %s failed: %s", name, tenant, fault.toString()));
            }
        }));
    }

    @PreDestroy
    void stop() {
        timers.forEach(vertx::cancelTimer);
    }
}
