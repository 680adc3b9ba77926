package dev.toolgate.limits;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.store.SharedRedis;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Keeps this instance's {@link KillSwitchBoard} current: a full read of the store at start and every
 * {@code toolgate.limits.kill-switch-refresh}, and a read of one tenant whenever the store says its switches changed
 * (Redis Pub/Sub, within a second on every instance). A read that fails leaves the board as it was: the switches
 * engaged before an outage keep stopping calls through it.
 * <p>
 * Metrics: {@code toolgate.kill_switches.engaged} (switches in force here) and {@code toolgate.kill_switches.staleness}
 * (seconds since the last full read that succeeded; it grows while the store cannot be reached).
 */
@ApplicationScoped
public class KillSwitchFeed {

    private static final Logger LOG = Logger.getLogger(KillSwitchFeed.class);

    private final LimitsStore store;
    private final KillSwitchBoard board;
    private final Vertx vertx;
    private final Duration refresh;
    private final Duration timeout;
    private final AtomicLong lastRead = new AtomicLong(System.nanoTime());
    private volatile boolean failing;
    private AutoCloseable watch;
    private long timer = -1;

    KillSwitchFeed(LimitsStore store, KillSwitchBoard board, Vertx vertx, ToolgateConfig config, SharedRedis redis,
            MeterRegistry meters) {
        this.store = store;
        this.board = board;
        this.vertx = vertx;
        this.refresh = config.limits().killSwitchRefresh();
        this.timeout = redis.timeout();
        if (refresh.isNegative() || refresh.isZero()) {
            throw new IllegalArgumentException("toolgate.limits.kill-switch-refresh must be positive");
        }
        // a gauge left by an earlier application in this JVM (tests start several) would read that one's board
        meters.find("toolgate.kill_switches.engaged").meters().forEach(meters::remove);
        meters.find("toolgate.kill_switches.staleness").meters().forEach(meters::remove);
        Gauge.builder("toolgate.kill_switches.engaged", board, KillSwitchBoard::count)
                .description("runtime kill switches in force on this instance").register(meters);
        Gauge.builder("toolgate.kill_switches.staleness", lastRead,
                last -> (System.nanoTime() - last.get()) / 1e9)
                .description("seconds since the runtime kill switches were last read in full from the store")
                .baseUnit("seconds").register(meters);
    }

    /** The board every instance checks; one per application. */
    @Produces
    @Singleton
    static KillSwitchBoard board() {
        return new KillSwitchBoard();
    }

    /** At start: a first full read (waited for, so the first call already sees the switches), the watch, the timer. */
    void start(@Observes StartupEvent event) {
        try {
            readAll().await().atMost(timeout.plusSeconds(1));
        } catch (RuntimeException e) {
            LOG.warnf("kill switches: the store cannot be read at start (%s); retrying every %s", e.getMessage(),
                    refresh);
        }
        watch = store.watchKillSwitches(this::readTenant, this::readAllLater, () -> LOG.warn(
                "kill switches: change notifications lost; the switches in force stay, full reads continue"));
        timer = vertx.setPeriodic(refresh.toMillis(), id -> readAllLater());
    }

    @PreDestroy
    void stop() throws Exception {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (watch != null) {
            watch.close();
        }
    }

    private void readAllLater() {
        readAll().subscribe().with(done -> {
        }, fault -> {
        });
    }

    /** Every tenant's switches; a failure is logged once per outage and leaves the board as it was. */
    Uni<Void> readAll() {
        long mark = board.mark();
        return store.allKillSwitches().invoke(all -> {
            board.replaceAll(all, mark);
            lastRead.set(System.nanoTime());
            if (failing) {
                failing = false;
                LOG.info("kill switches: the store can be read again");
            }
        }).replaceWithVoid().onFailure().invoke(fault -> {
            if (!failing) {
                failing = true;
                LOG.warnf("kill switches: the store cannot be read (%s); the %d switches in force stay",
                        fault.toString(), board.count());
            }
        });
    }

    private void readTenant(String tenant) {
        long mark = board.mark();
        store.killSwitches(tenant).subscribe().with(engaged -> board.replace(tenant, engaged, mark),
                fault -> LOG.debugf("kill switches of tenant %s not read after a change (%s); the next full read "
                        + "brings them", tenant, fault.toString()));
    }
}
