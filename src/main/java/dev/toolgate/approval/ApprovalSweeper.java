package dev.toolgate.approval;

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
import dev.toolgate.pipeline.AuditLog;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;

/**
 * Marks approval requests whose expiry passed as expired, for every tenant of the contract, every
 * {@code toolgate.approvals.sweep-interval}, and
 * writes an {@code expired} audit record for each. An expired request is refused on decide and redeem whether or not
 * the sweep has seen it yet; the sweep is what puts the expiry in the audit log.
 */
@ApplicationScoped
@Startup
public class ApprovalSweeper {

    private static final Logger LOG = Logger.getLogger(ApprovalSweeper.class);
    private final ApprovalStore store;
    private final AuditLog audit;
    private final Active active;
    private final Vertx vertx;
    private final long intervalMillis;
    private long timer = -1;

    ApprovalSweeper(ApprovalStore store, AuditLog audit, Active active, Vertx vertx, ToolgateConfig config) {
        this.store = store;
        this.audit = audit;
        this.active = active;
        this.vertx = vertx;
        this.intervalMillis = Math.max(100, config.approvals().sweepInterval().toMillis());
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
            store.expire(tenant, now).subscribe().with(
                    expired -> expired.forEach(a -> audit.approval(ApprovalStage.event("expired", a, "", "toolgate"))
                            .subscribe().with(v -> {
                            }, fault -> LOG.warnf("expiry of approval %s not audited: %s", a.id(), fault.toString()))),
                    fault -> LOG.debugf("approval sweep of tenant %s failed: %s", tenant, fault.toString()));
        }
    }
}
