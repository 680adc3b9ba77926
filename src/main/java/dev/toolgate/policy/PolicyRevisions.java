package dev.toolgate.policy;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * Which bundles are loaded, as metrics: {@code toolgate_policy_bundle_info{bundle,revision}} is 1 for the active bundle
 * ({@code bundle="active"}) and, when there is one, the shadow ({@code bundle="shadow"}) (the contract's is
 * {@code toolgate_contract_info{revision}}). A dashboard shows which revision decides, and can alert when instances
 * run different ones.
 */
@ApplicationScoped
@Startup
public class PolicyRevisions {

    PolicyRevisions(OpaEngine engine, ShadowPolicy shadow, MeterRegistry meters) {
        active(meters, engine.revision());
        shadow.revision().ifPresent(revision -> Gauge.builder("toolgate.policy.bundle.info", () -> 1)
                .description("The policy bundles loaded, by revision")
                .tags("bundle", "shadow", "revision", revision).register(meters));
    }

    /** The active bundle's revision: 1 for it; a reload sets the one it replaced to 0. */
    static void active(MeterRegistry meters, String revision) {
        Gauge.builder("toolgate.policy.bundle.info", () -> 1).description("The policy bundles loaded, by revision")
                .tags("bundle", "active", "revision", revision).register(meters);
    }
}
