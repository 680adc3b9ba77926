package dev.toolgate.policy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * A shadow bundle on live traffic: it decides every call beside the active bundle, its disagreements are counted and
 * recorded with both decisions, and it is never enforced (the tool gets what the active policy allowed).
 */
@QuarkusTest
@TestProfile(ShadowProfile.class)
@WithTestResource(GatewayResource.class)
class ShadowPolicyGatewayTest {

    @Inject
    MeterRegistry meters;

    private static Response refund(long amount) {
        return given().header("Authorization", "Bearer demo-support-key")
                .header("Toolgate-Run-Id", "run-shadow-" + UUID.randomUUID()).contentType("application/json")
                .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":" + amount + ",\"tenant\":\"acme\"}")
                .post("/tools/payments/refunds");
    }

    private double count(String outcome) {
        var counter = meters.find("toolgate.policy.shadow.decisions").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static List<JsonNode> shadowRecords(String decisionId) {
        return AuditRecords.of(decisionId).stream().filter(r -> "shadow".equals(r.path("type").asText())).toList();
    }

    @Test
    void disagreementsAreRecordedWithBothDecisionsAndNeverEnforced() {
        double agreed = count("agree");
        double disagreed = count("disagree");

        // given two refunds the active policy lets run unattended: 5 USD (the shadow agrees) and 20 USD (it would hold)
        Response small = refund(5_000_000);
        Response middle = refund(20_000_000);

        // then both went to the tool: the shadow is never enforced
        small.then().statusCode(201);
        middle.then().statusCode(201);

        // and the disagreement is in the audit log with both decisions and both revisions
        String id = middle.header("Toolgate-Decision-Id");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> shadowRecords(id).size() == 1);
        JsonNode record = shadowRecords(id).get(0);
        assertEquals("none", record.path("policy").path("approval").asText());
        assertEquals(true, record.path("shadow").path("allow").asBoolean());
        assertEquals("required", record.path("shadow").path("approval").asText());
        assertTrue(record.path("shadow").path("reasons").toString().contains("needs approval"), record.toString());
        assertEquals(middle.header("Toolgate-Policy-Revision"), record.path("policy_revision").asText());
        assertNotEquals(record.path("policy_revision").asText(), record.path("shadow_revision").asText());
        assertEquals("refunds.create", record.path("action").asText());

        // and the agreement is only counted
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count("agree") >= agreed + 1
                && count("disagree") >= disagreed + 1);
        assertEquals(List.of(), shadowRecords(small.header("Toolgate-Decision-Id")));
    }
}
