package dev.toolgate.policy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.toolgate.pipeline.Active;

/**
 * The policy engines in use: the current one, and those a reload replaced, kept until the calls that started under
 * them have been decided. A call is decided by the engine of the revision it started with ({@code CallContext}), so a
 * reload between a call's arrival and its policy stage does not change its decider; a replaced engine is closed a
 * minute after the swap.
 */
@ApplicationScoped
public class PolicyEngines {

    /** How long a replaced engine still decides the calls that started under it. */
    static final long RETIRE_AFTER_SECONDS = 60;

    private final AtomicReference<OpaEngine> current;
    private final List<OpaEngine> retiring = new CopyOnWriteArrayList<>();
    private final Active active;
    private final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "toolgate-policy-retire");
        t.setDaemon(true);
        return t;
    });

    @Inject
    PolicyEngines(OpaEngine initial, Active active) {
        this.current = new AtomicReference<>(initial);
        this.active = active;
    }

    /** Engines outside CDI (tests, benchmarks): one engine, never replaced. */
    static PolicyEngines of(OpaEngine engine) {
        return new PolicyEngines(engine, null);
    }

    /** The engine that decides now. */
    public OpaEngine current() {
        return current.get();
    }

    /** The engine of a revision, while it is current or retiring; else the current one. */
    OpaEngine forRevision(String revision) {
        OpaEngine now = current.get();
        if (now.revision().equals(revision)) {
            return now;
        }
        for (OpaEngine old : retiring) {
            if (old.revision().equals(revision)) {
                return old;
            }
        }
        return now;
    }

    /** Makes {@code next} the current engine; the one it replaces retires. */
    void swap(OpaEngine next) {
        OpaEngine previous = current.getAndSet(next);
        if (active != null) {
            active.publishPolicyRevision(next.revision());
        }
        retiring.add(previous);
        closer.schedule(() -> {
            retiring.remove(previous);
            previous.close();
        }, RETIRE_AFTER_SECONDS, TimeUnit.SECONDS);
    }

    @PreDestroy
    void close() {
        closer.shutdownNow();
        retiring.forEach(OpaEngine::close);
        current.get().close();
    }
}
