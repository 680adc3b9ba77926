package dev.toolgate.adversarial;

import java.util.List;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import dev.toolgate.limits.LimitsStore;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The adversarial pack's scenarios of the gateway world (contract {@code gateway.yaml}: HTTP tools, JWT identity,
 * approvals, idempotency, check and report). Its own resource argument gives it a fresh gateway, whatever ran before.
 */
@QuarkusTest
@WithTestResource(value = GatewayResource.class, initArgs = @ResourceArg(name = "pack", value = "adversarial"))
class GatewayPackTest {

    @Inject
    LimitsStore store;

    @TestFactory
    Stream<DynamicTest> scenarios() {
        // the only budget of gateway.yaml: a tenant's exports (cap 0, every call degrades)
        List<Scenario.Ledger> ledgers = List.of(
                new Scenario.Ledger("exports-spent", "acme", null, null, null, null, null),
                new Scenario.Ledger("exports-spent", "globex", null, null, null, null, null));
        return PackRunner.tests(new PackWorld(PackWorld.Name.GATEWAY, () -> RestAssured.port,
                GatewayResource.auditFile(), GatewayResource.signingKey(), GatewayResource::tools, null, store,
                ledgers));
    }

    @AfterAll
    static void summary() {
        PackRunner.printSummary(PackWorld.Name.GATEWAY);
    }
}
