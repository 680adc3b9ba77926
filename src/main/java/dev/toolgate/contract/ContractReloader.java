package dev.toolgate.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Contract;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.Active;
import dev.toolgate.pipeline.AuditLog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;

/**
 * Reloads the agent contract from its file ({@code toolgate.reload-interval}): a file whose bytes changed is loaded and
 * validated by every rule the start applies ({@link ContractLoader}), then published for the calls that arrive from
 * then on; a call in flight keeps the contract it started with ({@code CallContext}). A contract that does not load is
 * refused: logged at WARN with every problem by path, counted ({@code toolgate.reloads{what=contract,outcome=refused}})
 * and audited, and the contract in use stays. Read on a worker thread, never an event loop.
 */
@ApplicationScoped
@Startup
public class ContractReloader {

    private static final Logger LOG = Logger.getLogger(ContractReloader.class);

    private final Active active;
    private final AuditLog audit;
    private final MeterRegistry meters;
    private final Path file;
    private final Vertx vertx;
    private long timer = -1;
    /** The SHA-256 of the bytes last looked at: the same bytes are not tried twice. */
    private volatile String seen = "";
    private volatile String lastRefusal = "";

    ContractReloader(ContractBootstrap loaded, Active active, AuditLog audit, MeterRegistry meters,
            ToolgateConfig config, Vertx vertx) {
        this.active = active;
        this.audit = audit;
        this.meters = meters;
        this.file = config.contract();
        this.vertx = vertx;
        Optional<Duration> interval = config.reloadInterval();
        if (interval.isPresent()) {
            seen = digest().orElse("");
            long millis = Math.max(100, interval.get().toMillis());
            timer = vertx.setPeriodic(millis, id -> vertx.executeBlocking(() -> {
                check();
                return null;
            }, false));
            LOG.infof("contract %s: reloaded when it changes (looked at every %d ms)", file, millis);
        }
    }

    /** Why the last new contract was refused, or the empty string. */
    public String lastRefusal() {
        return lastRefusal;
    }

    /** Looks at the file once; publishes what changed and validates. */
    synchronized void check() {
        Optional<String> digest = digest();
        if (digest.isEmpty() || digest.get().equals(seen)) {
            return;
        }
        seen = digest.get();
        Contract current = active.snapshot().contract();
        Contract next;
        try {
            next = new ContractLoader().load(file);
        } catch (RuntimeException e) { // a ContractException names every problem by path
            lastRefusal = e.getMessage();
            meters.counter("toolgate.reloads", "what", "contract", "outcome", "refused").increment();
            LOG.warnf("contract %s not reloaded, revision %s stays: %s", file, current.revision(), e.getMessage());
            audit.reloaded("contract", "refused", current.revision(), e.getMessage()).subscribe().with(ok -> {
            }, fault -> LOG.warnf("the refused contract reload could not be audited: %s", fault.toString()));
            return;
        }
        if (next.revision().equals(current.revision())) {
            return;
        }
        active.publish(next);
        meters.find("toolgate.contract.info").tags("revision", current.revision()).meters().forEach(meters::remove);
        Gauge.builder("toolgate.contract.info", () -> 1).description("The agent contract loaded, by revision")
                .tag("revision", next.revision()).register(meters);
        meters.counter("toolgate.reloads", "what", "contract", "outcome", "loaded").increment();
        lastRefusal = "";
        LOG.infof("contract %s reloaded: revision %s replaces %s (%d agents, %d tools)", file, next.revision(),
                current.revision(), next.agents().size(), next.tools().size());
        FallbackGrants.ungranted(next).forEach(warning -> LOG.warnf("contract %s: %s", file, warning));
        audit.reloaded("contract", "loaded", next.revision(), "replaces " + current.revision()).subscribe().with(
                ok -> {
                }, fault -> LOG.warnf("the contract reload could not be audited: %s", fault.toString()));
    }

    private Optional<String> digest() {
        try {
            return Optional.of(CanonicalJson.sha256Hex(Files.readAllBytes(file)));
        } catch (IOException e) {
            return Optional.empty(); // a file being replaced: looked at again next time
        }
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
