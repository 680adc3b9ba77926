package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.SUPPORT;
import static dev.toolgate.ingress.http.Calls.id;
import static dev.toolgate.ingress.http.Calls.post;
import static dev.toolgate.ingress.http.Calls.refund;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.audit.AuditVerifier;
import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** The intent record is on disk before the tool sees the call; the outcome follows; the chain stays whole. */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class AuditOrderTest {

    @AfterEach
    void stopObserving() {
        GatewayResource.tools().onReceive(r -> {
        });
    }

    @Test
    void writesTheIntentBeforeTheToolIsCalledAndTheOutcomeAfter() {
        // given: the tool looks into the audit log the moment a call reaches it
        Map<String, Boolean> intentOnDisk = new ConcurrentHashMap<>();
        GatewayResource.tools().onReceive(received -> {
            String decisionId = received.headers().get("toolgate-decision-id");
            try {
                intentOnDisk.put(decisionId, Files.readAllLines(GatewayResource.auditFile()).stream()
                        .anyMatch(line -> line.contains(decisionId) && line.contains("\"type\":\"intent\"")));
            } catch (java.io.IOException e) {
                intentOnDisk.put(decisionId, false);
            }
        });

        // when
        Response response = post(SUPPORT, "/tools/payments/refunds", refund(7, "acme"));

        // then
        response.then().statusCode(201);
        assertEquals(Boolean.TRUE, intentOnDisk.get(id(response)), "the intent record was durable before forwarding");
        List<JsonNode> records = AuditRecords.await(id(response), 2);
        assertEquals(List.of("intent", "outcome"), records.stream().map(r -> r.path("type").asText()).toList());
        assertTrue(records.get(0).path("seq").asLong() < records.get(1).path("seq").asLong());
    }

    @Test
    void keepsAnUnbrokenChainAcrossEveryKindOfRecord() {
        post(SUPPORT, "/tools/payments/refunds", refund(7, "acme")).then().statusCode(201);
        post(SUPPORT, "/tools/payments/refunds", refund(7, "globex")).then().statusCode(403);
        io.restassured.RestAssured.given().header("Toolgate-Mode", "dry-run").header("Authorization", SUPPORT)
                .get("/tools/payments/charges/ch_1").then().statusCode(200);
        String last = id(io.restassured.RestAssured.given().get("/tools/payments/charges/ch_1"));
        AuditRecords.await(last, 1);

        AuditVerifier.Verification verification = AuditVerifier.verify(GatewayResource.auditFile());
        assertTrue(verification.ok(), verification.message());
        assertTrue(verification.records() >= 5);
    }
}
