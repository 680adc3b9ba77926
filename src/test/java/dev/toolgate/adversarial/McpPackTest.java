package dev.toolgate.adversarial;

import java.util.List;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import dev.toolgate.limits.LimitsStore;
import dev.toolgate.testing.McpResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The adversarial pack's scenarios of the MCP world (contract {@code mcp.yaml}: MCP servers behind
 * {@code /mcp/{server}}, a real MCP server built with the official Java SDK that records every exchange).
 */
@QuarkusTest
@WithTestResource(value = McpResource.class, initArgs = @ResourceArg(name = "pack", value = "adversarial"))
class McpPackTest {

    @Inject
    LimitsStore store;

    @TestFactory
    Stream<DynamicTest> scenarios() {
        return PackRunner.tests(new PackWorld(PackWorld.Name.MCP, () -> RestAssured.port, McpResource.auditFile(),
                null, null, McpResource::upstream, store, List.of()));
    }

    @AfterAll
    static void summary() {
        PackRunner.printSummary(PackWorld.Name.MCP);
    }
}
