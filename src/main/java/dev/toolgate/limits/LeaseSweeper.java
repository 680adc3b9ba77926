package dev.toolgate.limits;

import java.time.Instant;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.TenantSweeps;
import io.quarkus.runtime.Startup;

/**
 * Releases reservations whose call never settled (a crashed instance, an unreported check) once their lease has run
 * out, for every tenant of the contract, every {@code toolgate.limits.sweep-interval}. Releasing is idempotent in the
 * store, so several instances sweeping the same tenant never release one reservation twice.
 */
@ApplicationScoped
@Startup
public class LeaseSweeper {

    private final LimitsStore store;
    private final TenantSweeps sweeps;
    private final ToolgateConfig config;

    LeaseSweeper(LimitsStore store, TenantSweeps sweeps, ToolgateConfig config) {
        this.store = store;
        this.sweeps = sweeps;
        this.config = config;
    }

    @PostConstruct
    void start() {
        sweeps.every("lease sweep", config.limits().sweepInterval(),
                tenant -> store.releaseExpired(tenant, Instant.now()));
    }
}
