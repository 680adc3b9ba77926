package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.SUPPORT;
import static dev.toolgate.ingress.http.Calls.id;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.restassured.response.Response;

/** Idempotency-Key: a retried write never executes twice. */
abstract class IdempotencyGatewayTest {

    static Response refund(String key, long amount) {
        return given().header("Authorization", SUPPORT).header("Idempotency-Key", key).contentType("application/json")
                .body(Calls.refund(amount, "acme")).post("/tools/payments/refunds");
    }

    static long reachedTool(String key) {
        return GatewayResource.tools().received().stream().filter(r -> r.body().contains("\"amount_usd_micros\":"))
                .filter(r -> r.headers().containsKey("idempotency-key") && key.equals(r.headers().get("idempotency-key")))
                .count();
    }

    @Test
    void replaysTheIdenticalAnswerAndTheToolSeesOneCall() {
        String key = "refund-" + UUID.randomUUID();
        Response first = refund(key, 1234);
        first.then().statusCode(201);
        assertNull(first.header("Toolgate-Idempotent-Replay"));

        Response repeat = refund(key, 1234);
        repeat.then().statusCode(201).header("Toolgate-Idempotent-Replay", "true")
                .header("Content-Type", "application/json");
        assertEquals(first.asString(), repeat.asString(), "the identical body");
        assertEquals(1, reachedTool(key), "the tool saw one call");
        assertEquals("replayed", AuditRecords.await(id(repeat), 1).get(0).path("type").asText());
    }

    @Test
    void refusesTheSameKeyWithAnotherPayload() {
        String key = "refund-" + UUID.randomUUID();
        refund(key, 1000).then().statusCode(201);
        Response other = refund(key, 1001);
        other.then().statusCode(422).contentType("application/problem+json")
                .body("reason", equalTo("idempotency_conflict")).body("conflict", equalTo("payload_mismatch"));
        assertEquals(1, reachedTool(key));
        assertEquals("idempotency_conflict", AuditRecords.denied(id(other)).path("reason").asText());
    }

    @Test
    void concurrentCallsWithOneKeyForwardOnce() {
        String key = "refund-" + UUID.randomUUID();
        List<CompletableFuture<Response>> racing = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            racing.add(CompletableFuture.supplyAsync(() -> refund(key, 4321)));
        }
        List<Response> answers = racing.stream().map(CompletableFuture::join).toList();
        assertEquals(1, reachedTool(key), "one forward");
        assertEquals(1, answers.stream().filter(a -> a.statusCode() == 201
                && a.header("Toolgate-Idempotent-Replay") == null).count(), "one first answer");
        for (Response r : answers) {
            boolean replay = r.statusCode() == 201 && "true".equals(r.header("Toolgate-Idempotent-Replay"));
            boolean inFlight = r.statusCode() == 409 && "in_flight".equals(r.jsonPath().getString("conflict"));
            assertTrue(r.statusCode() == 201 || replay || inFlight, "unexpected " + r.statusCode() + " " + r.asString());
        }
    }

    @Test
    void aCallDeniedBeforeTheIdempotencyStageNeverTakesItsKey() {
        String key = "refund-" + UUID.randomUUID();
        // denied by policy (another tenant): the key is not taken, so the corrected call can use it
        given().header("Authorization", SUPPORT).header("Idempotency-Key", key).contentType("application/json")
                .body(Calls.refund(5, "globex")).post("/tools/payments/refunds").then().statusCode(403);
        refund(key, 5).then().statusCode(201);
    }

    @Test
    void anActionThatRequiresAKeyRefusesACallWithout() {
        Response response = given().header("Authorization", SUPPORT).contentType("application/json").body("{}")
                .post("/tools/journal/refunds");
        response.then().statusCode(400).body("reason", equalTo("invalid_arguments"));
        assertEquals("invalid_arguments", AuditRecords.denied(id(response)).path("reason").asText());
        given().header("Authorization", SUPPORT).header("Idempotency-Key", "entry-" + UUID.randomUUID())
                .contentType("application/json").body("{}").post("/tools/journal/refunds").then().statusCode(201);
    }

    @Test
    void refusesAMalformedKey() {
        refund("key with spaces", 5).then().statusCode(400).body("reason", equalTo("invalid_arguments"));
    }
}
