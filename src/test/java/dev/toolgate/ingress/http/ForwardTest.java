package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.SUPPORT;
import static dev.toolgate.ingress.http.Calls.id;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.demo.SampleTools;
import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Forwarding to the upstream tool: path, query, headers, timeouts, an unreachable tool. */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class ForwardTest {

    /** Metrics are served on the management interface, not the agents' port. */
    @io.quarkus.test.common.http.TestHTTPResource(value = "/metrics", management = true)
    java.net.URL metrics;

    @Test
    void forwardsPathAndQueryAndStripsCredentialsAndHopByHopHeaders() {
        Response response = given().header("Authorization", SUPPORT)
                .header("Connection", "X-Secret-Hop")
                .header("X-Secret-Hop", "hop")
                .header("Cookie", "session=1")
                .header("Toolgate-Run-Id", "run-42")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .header("X-Request-Note", "kept")
                .get("/tools/payments/charges/ch_7?expand=refunds");
        response.then().statusCode(200).body("id", equalTo("ch_7"))
                .header("Toolgate-Decision-Id", matchesPattern("[0-9a-f-]{36}"))
                .header("Toolgate-Policy-Revision", notNullValue());
        SampleTools.Received received = GatewayResource.tools().received().stream()
                .filter(r -> id(response).equals(r.headers().get("toolgate-decision-id"))).findFirst().orElseThrow();
        assertEquals("/charges/ch_7", received.path());
        assertEquals("expand=refunds", received.query());
        assertNull(received.headers().get("authorization"));
        assertNull(received.headers().get("cookie"));
        assertNull(received.headers().get("x-secret-hop"));
        assertNull(received.headers().get("toolgate-run-id"));
        assertEquals("kept", received.headers().get("x-request-note"));
        assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", received.headers().get("traceparent"));
        assertEquals("run-42", AuditRecords.await(id(response), 2).get(0).path("run_id").asText());
    }

    @Test
    void answersUpstreamTimeoutWhenTheToolIsTooSlow() {
        Response response = given().header("Authorization", SUPPORT).get("/tools/payments/charges/ch_slow");
        response.then().statusCode(504).contentType("application/problem+json")
                .body("reason", equalTo("upstream_timeout"));
        List<JsonNode> records = AuditRecords.await(id(response), 2);
        assertEquals("intent", records.get(0).path("type").asText());
        assertEquals("outcome", records.get(1).path("type").asText());
        assertEquals("upstream_timeout", records.get(1).path("reason").asText());
    }

    @Test
    void answersUpstreamUnavailableWhenTheToolCannotBeReached() {
        Response response = given().header("Authorization", SUPPORT).get("/tools/offline/status");
        response.then().statusCode(502).body("reason", equalTo("upstream_unavailable"));
        assertEquals("upstream_unavailable", AuditRecords.await(id(response), 2).get(1).path("reason").asText());
    }

    @Test
    void refusesAnAnswerLargerThanTheLimit() {
        Response response = given().header("Authorization", SUPPORT).get("/tools/payments/charges/ch_large");
        response.then().statusCode(502).contentType("application/problem+json")
                .body("reason", equalTo("upstream_unavailable"));
        assertEquals("upstream_unavailable", AuditRecords.await(id(response), 2).get(1).path("reason").asText());
    }

    @Test
    void countsEveryCallByOutcomeAndReason() {
        given().header("Authorization", SUPPORT).get("/tools/payments/charges/ch_1").then().statusCode(200);
        given().get("/tools/payments/charges/ch_1").then().statusCode(401);
        String metrics = given().get(this.metrics.toString()).then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(metrics.contains(
                "toolgate_calls_total{outcome=\"forwarded\",protocol=\"http\",reason=\"\",tenant=\"acme\",tool=\"payments\"}"),
                metrics);
        org.junit.jupiter.api.Assertions.assertTrue(metrics.contains(
                "toolgate_calls_total{outcome=\"denied\",protocol=\"http\",reason=\"unauthenticated\",tenant=\"\",tool=\"\"}"),
                metrics);
    }

    @Test
    void passesTheToolsOwnErrorsThrough() {
        Response response = given().header("Authorization", SUPPORT).get("/tools/payments/charges/ch_missing");
        response.then().statusCode(404).contentType("application/json").body("error", equalTo("no such charge"))
                .header("Toolgate-Decision-Id", notNullValue());
        assertEquals("404", AuditRecords.await(id(response), 2).get(1).path("status").asText());
    }

    @Test
    void neverPassesTheToolsCostReportToTheAgent() {
        Response response = given().header("Authorization", Calls.RELEASE).contentType("application/json")
                .body(Calls.deployment("staging")).post("/tools/deploy/deployments");
        response.then().statusCode(202);
        assertFalse(response.headers().hasHeaderWithName("Toolgate-Cost-Usd-Micros"));
    }
}
