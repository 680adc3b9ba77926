package dev.toolgate.policy;

import java.util.Optional;
import java.util.concurrent.Semaphore;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.AuditLog;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A candidate bundle decided beside the active one on live traffic ({@code toolgate.policy.shadow}), never enforced:
 * after the policy stage decided a call, the same input goes to the shadow's own worker, and the call goes on without
 * waiting for it. A disagreement (allowed or not, or the approval tier) is written to the audit log with both decisions
 * and counted; so is every other outcome ({@code toolgate.policy.shadow.decisions{outcome}}: {@code agree},
 * {@code disagree}, {@code error}, {@code skipped} when {@code shadow-queue} evaluations are already waiting).
 */
@ApplicationScoped
public class ShadowPolicy {

    private static final Logger LOG = Logger.getLogger(ShadowPolicy.class);

    private final Optional<OpaEngine> engine;
    private final AuditLog audit;
    private final MeterRegistry meters;
    private final Semaphore slots;

    @Inject
    ShadowPolicy(ToolgateConfig config, AuditLog audit, MeterRegistry meters) {
        this(config.policy().shadow().map(location -> {
            // one worker, never an event loop: the shadow must not take time from the calls it watches
            OpaEngine shadow = OpaEngine.start(PolicyBundle.load(location, BundleSignatures.configured(config)), 1,
                    config.policy().interpreter()
                            || io.quarkus.runtime.ImageMode.current().isNativeImage(),
                    false);
            LOG.infof("shadow policy bundle %s loaded: revision %s, decided beside the active bundle, never enforced",
                    location, shadow.revision());
            return shadow;
        }), audit, meters, config.policy().shadowQueue());
    }

    ShadowPolicy(Optional<OpaEngine> engine, AuditLog audit, MeterRegistry meters, int queue) {
        if (queue < 1) {
            throw new IllegalArgumentException("toolgate.policy.shadow-queue must be at least 1, was " + queue);
        }
        this.engine = engine;
        this.audit = audit;
        this.meters = meters;
        this.slots = new Semaphore(queue);
    }

    /** No shadow bundle. */
    static ShadowPolicy none() {
        return new ShadowPolicy(Optional.empty(), null, null, 1);
    }

    /** Whether there is a shadow bundle to ask. */
    boolean enabled() {
        return engine.isPresent();
    }

    /**
     * Decides the call again with the shadow bundle, in the background.
     *
     * @param decided the call with the active policy's decision (none when the active decision was not valid)
     * @param activeRevision the revision of the active bundle
     * @param input the input the active bundle decided on
     * @param active what the active bundle decided
     */
    void compare(ToolCall decided, String activeRevision, ObjectNode input, DecisionReader.Result active) {
        if (engine.isEmpty()) {
            return;
        }
        if (!slots.tryAcquire()) {
            count("skipped");
            return;
        }
        OpaEngine shadow = engine.get();
        try {
            shadow.evaluate(input).subscribe().with(result -> {
                try {
                    PolicyVerdict theirs = PolicyVerdict.of(DecisionReader.read(result, shadow.revision()));
                    if (!PolicyVerdict.of(active).disagrees(theirs)) {
                        count("agree");
                        return;
                    }
                    count("disagree");
                    audit.shadowed(decided, activeRevision, shadow.revision(), new AuditLog.ShadowDecision(
                            theirs.allow(), theirs.approval(), theirs.reasons())).subscribe().with(
                                    ok -> {
                                    }, fault -> LOG.warnf("call %s: the shadow disagreement could not be recorded: %s",
                                            decided.id(), fault.toString()));
                } finally {
                    slots.release();
                }
            }, fault -> {
                slots.release();
                count("error");
                LOG.debugf("call %s: the shadow bundle could not be evaluated: %s", decided.id(), fault);
            });
        } catch (RuntimeException e) {
            slots.release();
            count("error");
        }
    }

    private void count(String outcome) {
        meters.counter("toolgate.policy.shadow.decisions", "outcome", outcome).increment();
    }

    /** The shadow bundle's revision, when there is one. */
    public Optional<String> revision() {
        return engine.map(OpaEngine::revision);
    }

    @PreDestroy
    void close() {
        engine.ifPresent(OpaEngine::close);
    }
}
