package dev.toolgate.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.jboss.logging.Logger;

import dev.toolgate.call.ToolCall;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/** Finishing the stages' after-work of a call: each exactly once, and a failure never changes the answer. */
final class AfterCalls {

    private static final Logger LOG = Logger.getLogger(AfterCalls.class);

    private AfterCalls() {
    }

    /**
     * Runs {@code work} on every after-call and empties the list, so that nothing is finished twice; a failure is
     * logged and counted ({@code toolgate.after_call.failures}), and the stage's own safety net takes over.
     */
    static Uni<Void> finish(ToolCall call, List<AfterCall> afters, Function<AfterCall, Uni<Void>> work,
            MeterRegistry meters) {
        if (afters.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> all = new ArrayList<>();
        for (AfterCall after : List.copyOf(afters)) {
            all.add(Uni.createFrom().deferred(() -> work.apply(after)).onFailure().recoverWithItem(fault -> {
                LOG.warnf("call %s: after-call work failed: %s", call.id(), fault.toString());
                meters.counter("toolgate.after_call.failures").increment();
                return null;
            }));
        }
        afters.clear();
        return Uni.join().all(all).andCollectFailures().replaceWithVoid();
    }

    /** Tells every after-call something without finishing it (the list stays); a failure is logged and counted. */
    static Uni<Void> tell(ToolCall call, List<AfterCall> afters, Function<AfterCall, Uni<Void>> work,
            MeterRegistry meters) {
        List<Uni<Void>> all = new ArrayList<>();
        for (AfterCall after : afters) {
            all.add(Uni.createFrom().deferred(() -> work.apply(after)).onFailure().recoverWithItem(fault -> {
                LOG.warnf("call %s: after-call work failed: %s", call.id(), fault.toString());
                meters.counter("toolgate.after_call.failures").increment();
                return null;
            }));
        }
        return all.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(all).andCollectFailures().replaceWithVoid();
    }
}
