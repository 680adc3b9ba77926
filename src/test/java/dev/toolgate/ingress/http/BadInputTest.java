package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.SUPPORT;
import static dev.toolgate.ingress.http.Calls.id;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Malformed requests get a problem document with a reason code: never a stack trace, never a 500. */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class BadInputTest {

    private static void assertProblem(Response response, int status, String reason) {
        response.then().statusCode(status).contentType("application/problem+json")
                .body("reason", equalTo(reason))
                .body(not(containsString("Exception")));
        assertEquals(reason, AuditRecords.denied(id(response)).path("reason").asText());
    }

    @Test
    void refusesABodyOverTheLimitWith413() {
        String big = "{\"note\":\"" + "x".repeat(20_000) + "\"}";
        Response response = given().header("Authorization", SUPPORT).contentType("application/json").body(big)
                .post("/tools/payments/refunds");
        assertProblem(response, 413, "payload_too_large");
    }

    @Test
    void refusesABodyThatIsNotJsonByItsMediaTypeWith415() {
        Response response = given().header("Authorization", SUPPORT).contentType("text/plain").body("refund please")
                .post("/tools/payments/refunds");
        assertProblem(response, 415, "unsupported_media_type");
    }

    @Test
    void refusesAnUnknownMode() {
        Response response = given().header("Authorization", SUPPORT).header("Toolgate-Mode", "yolo")
                .get("/tools/payments/charges/ch_1");
        assertProblem(response, 400, "invalid_arguments");
    }

    @Test
    void refusesAMalformedRunId() {
        Response response = given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", "run id with spaces")
                .get("/tools/payments/charges/ch_1");
        assertProblem(response, 400, "invalid_arguments");
    }

    @Test
    void refusesAMalformedQuery() {
        // %zz is no percent-escape: refused before any route; %C3%28 is one, but not UTF-8: the HTTP ingress refuses it
        RawHttp.Answer malformed = RawHttp.get("/tools/payments/charges/ch_1?expand=%zz", SUPPORT);
        assertEquals(400, malformed.status(), malformed.body());
        assertTrue(malformed.body().contains("\"reason\":\"invalid_arguments\""), malformed.body());
        assertEquals("invalid_arguments", AuditRecords.denied(malformed.decisionId()).path("reason").asText());
        RawHttp.Answer answer = RawHttp.get("/tools/payments/charges/ch_1?expand=%C3%28", SUPPORT);
        assertEquals(400, answer.status(), answer.body());
        assertTrue(answer.body().contains("\"reason\":\"invalid_arguments\""), answer.body());
        assertEquals("invalid_arguments", AuditRecords.denied(answer.decisionId()).path("reason").asText());
    }

    @Test
    void refusesTwoAuthorizationHeaders() {
        Response response = given().header("Authorization", SUPPORT).header("Authorization", "Bearer other")
                .get("/tools/payments/charges/ch_1");
        assertProblem(response, 401, "unauthenticated");
    }

    @Test
    void answersMalformedJsonWithInvalidArguments() {
        Response response = given().header("Authorization", SUPPORT).contentType("application/json")
                .body("{\"charge\": \"ch_1\", ").post("/tools/payments/refunds");
        assertProblem(response, 400, "invalid_arguments");
    }
}
