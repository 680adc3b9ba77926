package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.SUPPORT;
import static dev.toolgate.ingress.http.Calls.id;
import static dev.toolgate.ingress.http.Calls.refund;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Toolgate-Mode: dry-run evaluates everything, forwards nothing and answers the proposal. */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class DryRunTest {

    private static Response dryRun(String credential, String body) {
        return given().header("Authorization", credential).header("Toolgate-Mode", "dry-run")
                .contentType("application/json").body(body).post("/tools/payments/refunds");
    }

    private static void assertNotForwarded(Response response) {
        assertTrue(GatewayResource.tools().received().stream()
                .noneMatch(r -> id(response).equals(r.headers().get("toolgate-decision-id"))));
        var records = AuditRecords.await(id(response), 1);
        assertEquals(1, records.size());
        assertEquals("dry_run", records.get(0).path("type").asText());
    }

    @Test
    void proposesAnAllowedRefundWithoutForwardingIt() {
        Response response = dryRun(SUPPORT, refund(10, "acme"));
        response.then().statusCode(200).contentType("application/json")
                .body("mode", equalTo("dry-run")).body("decision", equalTo("allow"))
                .body("would_forward", equalTo(true)).body("action", equalTo("refunds.create"))
                .body("approval", equalTo("none")).body("policy.allow", equalTo(true))
                .body("policy.reasons", hasItem("refund within the unattended limit"))
                .body("policy.obligations.redact", hasSize(0)).body("denial", nullValue());
        assertNotForwarded(response);
    }

    @Test
    void proposesTheApprovalARefundAboveTheLimitWouldNeed() {
        Response response = dryRun(SUPPORT, refund(60_000_000, "acme"));
        response.then().statusCode(200).body("decision", equalTo("deny"))
                .body("approval", equalTo("required"))
                .body("denial.reason", equalTo("approval_required"))
                .body("payload_sha256", equalTo(response.jsonPath().getString("denial.payload_sha256")))
                .body("denial.approval_id", nullValue());
        assertEquals(64, response.jsonPath().getString("payload_sha256").length());
        assertNotForwarded(response);
        assertEquals("deny", AuditRecords.of(id(response)).get(0).path("decision").asText());
    }

    @Test
    void proposesAPolicyDenialWithItsReasons() {
        Response response = dryRun(SUPPORT, refund(10, "globex"));
        response.then().statusCode(200).body("decision", equalTo("deny"))
                .body("denial.reason", equalTo("policy_denied"));
        assertNotForwarded(response);
    }

    @Test
    void stillRequiresAnIdentity() {
        dryRun("Bearer nope", refund(10, "acme")).then().statusCode(401).body("reason", equalTo("unauthenticated"));
    }
}
