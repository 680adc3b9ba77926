package dev.toolgate.adversarial;

import java.util.List;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import dev.toolgate.limits.LimitsStore;
import dev.toolgate.testing.LimitsResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The adversarial pack's scenarios of the limits world (contract {@code limits.yaml}: rate limits, budgets per run,
 * agent and tenant, the admin APIs), on a real redis-server: budget races are decided by its atomic scripts.
 */
@QuarkusTest
@WithTestResource(value = LimitsResource.class, initArgs = { @ResourceArg(name = "store", value = "redis"),
        @ResourceArg(name = "pack", value = "adversarial") })
class LimitsPackTest {

    @Inject
    LimitsStore store;

    @TestFactory
    Stream<DynamicTest> scenarios() {
        List<Scenario.Ledger> ledgers = List.of(
                new Scenario.Ledger("payments-per-month", "acme", null, null, null, null, null),
                new Scenario.Ledger("lookups-per-agent", "acme", "nightly-bot", null, null, null, null),
                new Scenario.Ledger("lookups-per-agent", "acme", "support-bot", null, null, null, null));
        return PackRunner.tests(new PackWorld(PackWorld.Name.LIMITS, () -> RestAssured.port,
                LimitsResource.auditFile(), null, LimitsResource::tools, null, store, ledgers));
    }

    @AfterAll
    static void summary() {
        PackRunner.printSummary(PackWorld.Name.LIMITS);
    }
}
