package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.ApprovalGatewayTest.APPROVER_1;
import static dev.toolgate.ingress.http.ApprovalGatewayTest.decide;
import static dev.toolgate.ingress.http.ApprovalGatewayTest.events;
import static dev.toolgate.ingress.http.ApprovalGatewayTest.opened;
import static dev.toolgate.ingress.http.ApprovalGatewayTest.refund;
import static dev.toolgate.ingress.http.Calls.SUPPORT;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * A redemption Redis answers too late: the call fails closed and never goes out, and when Redis, resumed, applies the
 * queued redemption anyway, the approval is given back, so that the sign-off is not lost to a call that never ran.
 */
@QuarkusTest
@WithTestResource(value = GatewayResource.class, initArgs = @ResourceArg(name = "store", value = "redis"))
class RedisApprovalOutageTest {

    @Test
    void aRedemptionAppliedAfterItFailedIsGivenBack() {
        // given: an approved refund
        String run = "run-" + UUID.randomUUID();
        String approval = opened(SUPPORT, run, 60_000_001);
        decide(APPROVER_1, approval, "approve", "{}").then().statusCode(200);

        // when: Redis is paused while the agent redeems it, then resumes
        GatewayResource.redis().pause();
        Response failed;
        try {
            failed = refund(SUPPORT, run, 60_000_001, approval);
        } finally {
            GatewayResource.redis().resume();
        }

        // then: the call failed closed, and the approval is approved again, not spent
        failed.then().statusCode(500).body("reason", equalTo("gateway_error"));
        String decision = failed.header("Toolgate-Decision-Id");
        assertTrue(GatewayResource.tools().received().stream()
                .noneMatch(r -> decision.equals(r.headers().get("toolgate-decision-id"))), "the tool saw nothing");
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> "approved".equals(given()
                .header("Authorization", APPROVER_1).get("/v1/approvals/" + approval).jsonPath().getString("state")));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> events(approval).contains("restored"));
        refund(SUPPORT, run, 60_000_001, approval).then().statusCode(201);
    }
}
