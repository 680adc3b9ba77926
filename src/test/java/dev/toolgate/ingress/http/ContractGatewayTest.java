package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.GLOBEX;
import static dev.toolgate.ingress.http.Calls.PAUSED;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Grants, kill switches, argument schemas and path safety, through the HTTP gateway. */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class ContractGatewayTest {

    private static JsonNode assertDenied(Response response, int status, String reason) {
        response.then().statusCode(status).contentType("application/problem+json")
                .body("reason", equalTo(reason)).body("status", equalTo(status))
                .body("decision_id", equalTo(id(response)));
        JsonNode record = AuditRecords.denied(id(response));
        assertEquals(reason, record.path("reason").asText());
        assertTrue(GatewayResource.tools().received().stream()
                .noneMatch(r -> id(response).equals(r.headers().get("toolgate-decision-id"))),
                "a denied call never reaches the tool");
        return record;
    }

    @Test
    void deniesAToolTheAgentHasNoGrantFor() {
        Response response = post(SUPPORT, "/tools/deploy/deployments", deployment("staging"));
        assertDenied(response, 403, "tool_not_granted");
    }

    @Test
    void answersAnUnknownToolExactlyLikeAnUngrantedOne() {
        String unknown = post(SUPPORT, "/tools/nosuchtool/deployments", deployment("staging"))
                .then().statusCode(403).extract().path("detail");
        String ungranted = post(SUPPORT, "/tools/deploy/deployments", deployment("staging"))
                .then().statusCode(403).extract().path("detail");
        assertEquals(ungranted.replace("deploy", "X"), unknown.replace("nosuchtool", "X"));
    }

    @Test
    void deniesAnActionOutsideTheGrant() {
        assertDenied(post(RELEASE, "/tools/payments/refunds", refund(1, "acme")), 403, "tool_not_granted");
    }

    @Test
    void deniesAPathNoActionMatches() {
        assertDenied(get(SUPPORT, "/tools/payments/admin/users"), 403, "tool_not_granted");
        assertDenied(post(SUPPORT, "/tools/payments/charges/ch_1", "{}"), 403, "tool_not_granted");
    }

    @Test
    void stopsEveryCallOfAKilledToolForItsTenant() {
        JsonNode record = assertDenied(post(GLOBEX, "/tools/deploy/deployments", deployment("staging")), 403,
                "kill_switch");
        assertTrue(record.path("detail").asText().contains("incident 4711"));
    }

    @Test
    void stopsEveryCallOfAKilledAgent() {
        post(PAUSED, "/tools/payments/refunds", refund(1, "acme")).then()
                .body("detail", containsString("agent paused for review"));
    }

    @Test
    void deniesArgumentsAgainstTheSchemaListingEachPointer() {
        Response response = post(SUPPORT, "/tools/payments/refunds",
                "{\"charge\":\"nope\",\"amount_usd_micros\":\"12\",\"tenant\":\"acme\",\"extra\":1}");
        assertDenied(response, 400, "invalid_arguments");
        response.then().body("errors", hasItem(containsString("/charge")))
                .body("errors", hasItem(containsString("/amount_usd_micros")));
    }

    @Test
    void deniesAPathVariableAgainstTheSchema() {
        assertDenied(get(SUPPORT, "/tools/payments/charges/not-a-charge"), 400, "invalid_arguments");
    }

    @Test
    void deniesDuplicateKeysInTheBody() {
        Response response = post(SUPPORT, "/tools/payments/refunds",
                "{\"charge\":\"ch_1\",\"amount_usd_micros\":1,\"tenant\":\"acme\",\"tenant\":\"globex\"}");
        assertDenied(response, 400, "invalid_arguments");
    }

    @Test
    void deniesABodyThatIsNotAnObject() {
        assertDenied(post(SUPPORT, "/tools/payments/refunds", "[1,2]"), 400, "invalid_arguments");
        assertDenied(post(SUPPORT, "/tools/payments/refunds", "{\"charge\":"), 400, "invalid_arguments");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/tools/payments/charges/../refunds", "/tools/payments/charges/%2e%2e/refunds",
            "/tools/payments/charges%2Fch_1", "/tools/payments/charges%2fch_1", "/tools/payments/charges/ch_1%5cx",
            "/tools/payments//charges/ch_1", "/tools/payments/./charges/ch_1" })
    void refusesPathsThatCouldBeNormalisedIntoAnotherAction(String path) {
        RawHttp.Answer answer = RawHttp.get(path, SUPPORT);
        assertEquals(400, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.headers().get("content-type"));
        assertTrue(answer.body().contains("\"reason\":\"invalid_arguments\""), answer.body());
        assertEquals("invalid_arguments", AuditRecords.denied(answer.decisionId()).path("reason").asText());
        assertTrue(GatewayResource.tools().received().stream()
                .noneMatch(r -> answer.decisionId().equals(r.headers().get("toolgate-decision-id"))));
    }

    @Test
    void refusesAnUndecodablePathBeforeItReachesTheGateway() {
        // Quarkus' HTTP layer rejects a target java.net.URI cannot parse with a bare 400, before any route runs
        int before = GatewayResource.tools().received().size();
        RawHttp.Answer answer = RawHttp.get("/tools/payments/charges/ch_%zz", SUPPORT);
        assertEquals(400, answer.status());
        assertEquals(before, GatewayResource.tools().received().size());
    }

    @Test
    void neverNormalisesADotSegmentIntoAnotherTool() {
        // the router sees /tools/deploy/deployments; the gateway sees tool payments and refuses the dot segment
        RawHttp.Answer answer = RawHttp.get("/tools/payments/../deploy/deployments", SUPPORT);
        assertEquals(400, answer.status(), answer.body());
        assertEquals("payments", AuditRecords.denied(answer.decisionId()).path("tool").asText());
    }

    @Test
    void refusesAnEncodedToolName() {
        assertDenied(get(SUPPORT, "/tools/pay%6dents/charges/ch_1"), 403, "tool_not_granted");
    }

    @Test
    void deniesANameGivenInTwoPlaces() {
        assertDenied(post(SUPPORT, "/tools/payments/refunds?tenant=acme", refund(1, "acme")), 400,
                "invalid_arguments");
    }
}
