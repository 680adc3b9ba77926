package dev.toolgate.ingress.check;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** The check API refuses what the gateway refuses, and bad check or report documents, with problem documents. */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class CheckApiTest {

    static final String SUPPORT = "Bearer demo-support-key";

    static Response check(String credential, String body) {
        return given().header("Authorization", credential).contentType("application/json").body(body).post("/v1/check");
    }

    @Test
    void deniesACheckOfAToolTheAgentHasNoGrantFor() {
        Response denied = check(SUPPORT, "{\"tool\":\"deploy\",\"method\":\"POST\",\"path\":\"/deployments\","
                + "\"body\":{\"service\":\"api\",\"environment\":\"dev\"}}");
        denied.then().statusCode(403).contentType("application/problem+json")
                .body("reason", equalTo("tool_not_granted"));
        JsonNode record = AuditRecords.denied(denied.header("Toolgate-Decision-Id"));
        assertEquals("check", record.path("protocol").asText());
    }

    @Test
    void deniesACheckThePolicyDenies() {
        check(SUPPORT, "{\"tool\":\"payments\",\"method\":\"POST\",\"path\":\"/refunds\","
                + "\"body\":{\"charge\":\"ch_1\",\"amount_usd_micros\":5,\"tenant\":\"globex\"}}")
                .then().statusCode(403).body("reason", equalTo("policy_denied"));
    }

    @Test
    void refusesACheckThatIsNotAJsonObjectOrMissesItsParts() {
        check(SUPPORT, "refund please").then().statusCode(400).body("reason", equalTo("invalid_arguments"));
        check(SUPPORT, "{\"tool\":\"payments\"}").then().statusCode(400).body("reason", equalTo("invalid_arguments"));
        check(SUPPORT, "{\"tool\":\"payments\",\"method\":\"GET\",\"path\":\"charges/ch_1\"}").then().statusCode(400);
        check(SUPPORT, "{\"tool\":\"payments\",\"tool\":\"deploy\",\"method\":\"GET\",\"path\":\"/charges/ch_1\"}")
                .then().statusCode(400).body("reason", equalTo("invalid_arguments"));
    }

    @Test
    void aCheckedCallThatNeedsApprovalIsAllowedOnceItsApprovalIsRedeemed() {
        String refund = "{\"tool\":\"payments\",\"method\":\"POST\",\"path\":\"/refunds\","
                + "\"body\":{\"charge\":\"ch_1\",\"amount_usd_micros\":60000000,\"tenant\":\"acme\"}}";
        Response held = given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", "run-check-approval")
                .contentType("application/json").body(refund).post("/v1/check");
        held.then().statusCode(403).body("reason", equalTo("approval_required"));
        String approval = held.jsonPath().getString("approval_id");
        given().header("Authorization", "Bearer approver-1-key").contentType("application/json").body("{}")
                .post("/v1/approvals/" + approval + "/approve").then().statusCode(200);

        Response allowed = given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", "run-check-approval")
                .header("Toolgate-Approval", approval).contentType("application/json").body(refund).post("/v1/check");
        allowed.then().statusCode(200).body("decision", equalTo("allow"));
        // single use: the same approval does not allow a second check
        given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", "run-check-approval")
                .header("Toolgate-Approval", approval).contentType("application/json").body(refund).post("/v1/check")
                .then().statusCode(403).body("reason", equalTo("approval_invalid"));
    }

    @Test
    void refusesARunIdOrModeItCannotReadInsteadOfDroppingIt() {
        String lookup = "{\"tool\":\"payments\",\"method\":\"GET\",\"path\":\"/charges/ch_1\"}";
        given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", "run with spaces")
                .contentType("application/json").body(lookup).post("/v1/check").then().statusCode(400)
                .body("reason", equalTo("invalid_arguments"));
        given().header("Authorization", SUPPORT).header("Toolgate-Mode", "pretend").contentType("application/json")
                .body(lookup).post("/v1/check").then().statusCode(400).body("reason", equalTo("invalid_arguments"));
    }

    @Test
    void aCheckNeedsAnIdentity() {
        check("Bearer nope", "{\"tool\":\"payments\",\"method\":\"GET\",\"path\":\"/charges/ch_1\"}").then()
                .statusCode(401).body("reason", equalTo("unauthenticated"));
    }

    @Test
    void onlyTheAgentThatCheckedMayReport() {
        String id = check(SUPPORT, "{\"tool\":\"payments\",\"method\":\"GET\",\"path\":\"/charges/ch_1\"}").then()
                .statusCode(200).extract().path("decision_id");
        given().header("Authorization", "Bearer demo-deploy-key").contentType("application/json")
                .body("{\"decision_id\":\"" + id + "\"}").post("/v1/report").then().statusCode(400)
                .body("reason", equalTo("invalid_arguments"));
        given().contentType("application/json").body("{\"decision_id\":\"" + id + "\"}").post("/v1/report").then()
                .statusCode(401);
        given().header("Authorization", SUPPORT).contentType("application/json")
                .body("{\"decision_id\":\"" + id + "\",\"cost_usd_micros\":-1}").post("/v1/report").then()
                .statusCode(400).body("reason", equalTo("invalid_arguments"));
        given().header("Authorization", SUPPORT).contentType("application/json")
                .body("{\"decision_id\":\"" + id + "\",\"status\":\"200\"}").post("/v1/report").then()
                .statusCode(200).body("settled", equalTo(true));
    }
}
