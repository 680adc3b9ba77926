package dev.toolgate.adversarial;

import java.util.List;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import dev.toolgate.limits.LimitsStore;
import dev.toolgate.testing.GrpcProxyResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The adversarial pack's scenarios of the grpc world (contract {@code grpc.yaml}: gRPC tools behind the transparent
 * proxy, a real gRPC upstream that records every call). Its own resource argument gives it a fresh gateway.
 */
@QuarkusTest
@WithTestResource(value = GrpcProxyResource.class, initArgs = @ResourceArg(name = "pack", value = "adversarial"))
class GrpcPackTest {

    @Inject
    LimitsStore store;

    @TestFactory
    Stream<DynamicTest> scenarios() {
        return PackRunner.tests(new PackWorld(PackWorld.Name.GRPC, () -> RestAssured.port,
                GrpcProxyResource.auditFile(), null, GrpcProxyResource::tools, null, GrpcProxyResource::upstream,
                store, List.of()));
    }

    @AfterAll
    static void summary() {
        PackRunner.printSummary(PackWorld.Name.GRPC);
    }
}
