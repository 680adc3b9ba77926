package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.RELEASE;
import static dev.toolgate.ingress.http.Calls.SUPPORT;
import static dev.toolgate.ingress.http.Calls.deployment;
import static dev.toolgate.ingress.http.Calls.get;
import static dev.toolgate.ingress.http.Calls.id;
import static dev.toolgate.ingress.http.Calls.post;
import static dev.toolgate.ingress.http.Calls.refund;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.demo.SampleTools;
import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** The bundled policy, evaluated in-process from its Wasm bundle, deciding real calls. */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class PolicyGatewayTest {

    private static boolean reachedTool(Response response) {
        return GatewayResource.tools().received().stream()
                .anyMatch(r -> id(response).equals(r.headers().get("toolgate-decision-id")));
    }

    @Test
    void forwardsARefundWithinTheUnattendedLimit() {
        Response response = post(SUPPORT, "/tools/payments/refunds", refund(50_000_000, "acme"));
        response.then().statusCode(201).body("status", equalTo("succeeded"));
        assertTrue(reachedTool(response));
        List<JsonNode> records = AuditRecords.await(id(response), 2);
        assertEquals("intent", records.get(0).path("type").asText());
        assertEquals("refunds.create", records.get(0).path("action").asText());
        assertEquals("allow", records.get(0).path("decision").asText());
        assertEquals("outcome", records.get(1).path("type").asText());
        assertEquals("201", records.get(1).path("status").asText());
    }

    @Test
    void holdsARefundAboveTheLimitForApproval() {
        Response response = post(SUPPORT, "/tools/payments/refunds", refund(50_000_001, "acme"));
        response.then().statusCode(403).body("reason", equalTo("approval_required"))
                .body("approval_tier", equalTo("required"));
        assertFalse(reachedTool(response));
        // the approval stage records the request it opened, then the pipeline the denial
        List<JsonNode> records = AuditRecords.await(id(response), 2);
        assertEquals(2, records.size(), records.toString());
        assertEquals("approval", records.get(0).path("type").asText());
        assertEquals("opened", records.get(0).path("event").asText());
        assertEquals(response.jsonPath().getString("approval_id"), records.get(0).path("approval_id").asText());
        JsonNode record = records.get(1);
        assertEquals("denied", record.path("type").asText());
        assertEquals("approval_required", record.path("reason").asText());
        assertEquals("required", record.path("approval").asText());
    }

    @Test
    void asksForTwoApproversAboveTheDualLimit() {
        post(SUPPORT, "/tools/payments/refunds", refund(1_000_000_001, "acme")).then().statusCode(403)
                .body("reason", equalTo("approval_required")).body("approval_tier", equalTo("dual"));
    }

    @Test
    void deniesARefundForAnotherTenant() {
        Response response = post(SUPPORT, "/tools/payments/refunds", refund(1_000, "globex"));
        response.then().statusCode(403).body("reason", equalTo("policy_denied"))
                .body("reasons", hasItem(containsString("not the caller's tenant")));
        assertFalse(reachedTool(response));
        JsonNode record = AuditRecords.denied(id(response));
        assertEquals("policy_denied", record.path("reason").asText());
        assertEquals("globex", record.path("args").path("tenant").asText(), "the record keeps the decided arguments");
    }

    @Test
    void deniesAProdDeploymentOutsideTheChangeWindow() {
        Response response = post(RELEASE, "/tools/deploy/deployments", deployment("prod"));
        response.then().statusCode(403).body("reason", equalTo("policy_denied"))
                .body("detail", containsString("outside the change window"));
        assertFalse(reachedTool(response));
        AuditRecords.denied(id(response));
    }

    @Test
    void forwardsAStagingDeploymentAnyTime() {
        Response response = post(RELEASE, "/tools/deploy/deployments", deployment("staging"));
        response.then().statusCode(202).body("environment", equalTo("staging"));
        assertTrue(reachedTool(response));
    }

    @Test
    void requiresApprovalForEveryCallOfAnIrreversibleTool() {
        Response response = get(SUPPORT, "/tools/ledger/charges/ch_1");
        response.then().statusCode(403).body("reason", equalTo("approval_required"));
        assertFalse(reachedTool(response));
    }

    @Test
    void keepsRedactedFieldsOutOfTheAuditButForwardsThemToTheTool() {
        Response response = post(SUPPORT, "/tools/payments/refunds",
                "{\"charge\":\"ch_1\",\"amount_usd_micros\":5,\"tenant\":\"acme\",\"customer_email\":\"ann@example.com\"}");
        response.then().statusCode(201);
        SampleTools.Received received = GatewayResource.tools().received().stream()
                .filter(r -> id(response).equals(r.headers().get("toolgate-decision-id"))).findFirst().orElseThrow();
        assertTrue(received.body().contains("ann@example.com"), "the tool gets the call as approved");
        for (JsonNode record : AuditRecords.await(id(response), 2)) {
            assertFalse(record.toString().contains("ann@example.com"), "the audit never keeps a redacted field");
        }
        JsonNode intent = AuditRecords.of(id(response)).get(0);
        assertTrue(intent.path("args").has("charge"));
        assertFalse(intent.path("args").has("customer_email"));
        assertEquals(64, intent.path("args_sha256").asText().length());
    }
}
