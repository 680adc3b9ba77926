package dev.toolgate.approval;

import java.time.Instant;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.AuditLog;
import dev.toolgate.pipeline.TenantSweeps;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;

/**
 * Marks approval requests whose expiry passed as expired, for every tenant of the contract, every
 * {@code toolgate.approvals.sweep-interval}, and writes an {@code expired} audit record for each. An expired request is
 * refused on decide and redeem whether or not the sweep has seen it yet; the sweep is what puts the expiry in the audit
 * log.
 */
@ApplicationScoped
@Startup
public class ApprovalSweeper {

    private final ApprovalStore store;
    private final AuditLog audit;
    private final TenantSweeps sweeps;
    private final ToolgateConfig config;

    ApprovalSweeper(ApprovalStore store, AuditLog audit, TenantSweeps sweeps, ToolgateConfig config) {
        this.store = store;
        this.audit = audit;
        this.sweeps = sweeps;
        this.config = config;
    }

    @PostConstruct
    void start() {
        sweeps.every("approval expiry", config.approvals().sweepInterval(), tenant -> store.expire(tenant, Instant.now())
                .chain(expired -> expired.isEmpty()
                        ? Uni.createFrom().voidItem()
                        : Uni.join().all(expired.stream()
                                .map(a -> audit.approval(ApprovalStage.event("expired", a, "", "toolgate"))).toList())
                                .andCollectFailures().replaceWithVoid()));
    }
}
