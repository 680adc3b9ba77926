package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.id;
import static dev.toolgate.ingress.http.Calls.post;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.demo.SampleTools;
import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * A {@code degrade} budget's fallback is a call of its own: every stage decides it as the fallback action. The
 * contract's {@code exports} tool is always over its budget, and each of its actions falls back somewhere an agent
 * granted only {@code exports} must not get to unchecked.
 */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class FallbackGatewayTest {

    private static final String EXPORTS = "Bearer export-key";

    private static List<SampleTools.Received> reached(Response response) {
        return GatewayResource.tools().received().stream()
                .filter(r -> id(response).equals(r.headers().get("toolgate-decision-id"))).toList();
    }

    /** Refused with the stage's reason, the fallback named in the problem and the audit record, nothing forwarded. */
    private static JsonNode assertRefused(Response response, int status, String reason, String tool, String action,
            String from) {
        response.then().statusCode(status).contentType("application/problem+json")
                .body("reason", equalTo(reason))
                .body("tool", equalTo(tool))
                .body("action", equalTo(action))
                .body("degraded_from.tool", equalTo("exports"))
                .body("degraded_from.action", equalTo(from));
        assertEquals("exports/" + from, response.header("Toolgate-Degraded-From"));
        JsonNode record = AuditRecords.denied(id(response));
        assertEquals(reason, record.path("reason").asText());
        assertEquals(tool, record.path("tool").asText(), "the audit names the tool the fallback is for");
        assertEquals("exports", record.path("degraded_from").path("tool").asText());
        assertEquals(from, record.path("degraded_from").path("action").asText());
        assertEquals(List.of(), reached(response), "a refused fallback reaches no tool");
        return record;
    }

    @Test
    void runsAGrantedFallbackAndNamesWhatRanAndWhatItReplaced() {
        // when a call of an over-budget action degrades to a fallback the agent may call
        Response response = post(EXPORTS, "/tools/exports/exports/fetch", "{\"id\":\"ch_7\"}");

        // then the fallback ran, with its own method and the path its template names for the arguments
        response.then().statusCode(200).body("id", equalTo("ch_7"));
        assertEquals("exports/fetch", response.header("Toolgate-Degraded-From"));
        List<SampleTools.Received> reached = reached(response);
        assertEquals(1, reached.size());
        assertEquals("GET", reached.get(0).method());
        assertEquals("/charges/ch_7", reached.get(0).path());
        // and the audit records name the fallback and the action it replaced
        List<JsonNode> records = AuditRecords.await(id(response), 2);
        for (JsonNode record : records) {
            assertEquals("archive", record.path("tool").asText());
            assertEquals("charges.cached", record.path("action").asText());
            assertEquals("exports", record.path("degraded_from").path("tool").asText());
            assertEquals("fetch", record.path("degraded_from").path("action").asText());
        }
    }

    @Test
    void refusesAFallbackToAToolTheAgentIsNotGranted() {
        Response response = post(EXPORTS, "/tools/exports/exports/ungranted", "{\"id\":\"ch_1\"}");
        assertRefused(response, 403, "tool_not_granted", "payments", "charges.get", "to-ungranted");
    }

    @Test
    void refusesAFallbackToAKilledTool() {
        JsonNode record = assertRefused(post(EXPORTS, "/tools/exports/exports/killed", "{}"), 403, "kill_switch",
                "journal", "entries.create", "to-killed");
        assertTrue(record.path("detail").asText().contains("journal frozen"));
    }

    @Test
    void refusesAFallbackToAProdDeploymentOutsideTheChangeWindow() {
        Response prod = post(EXPORTS, "/tools/exports/exports/deploy", "{\"service\":\"api\",\"environment\":\"prod\"}");
        JsonNode record = assertRefused(prod, 403, "policy_denied", "deploy", "deployments.create", "to-deploy");
        assertTrue(record.path("detail").asText().contains("outside the change window"), record.toString());

        // while the same fallback to a dev deployment is allowed by the policy and runs
        Response dev = post(EXPORTS, "/tools/exports/exports/deploy", "{\"service\":\"api\",\"environment\":\"dev\"}");
        dev.then().statusCode(202);
        assertEquals(1, reached(dev).size());
    }

    @Test
    void refusesAFallbackToAnIrreversibleActionUntilAHumanSignsItOff() {
        Response response = post(EXPORTS, "/tools/exports/exports/ledger", "{\"id\":\"ch_1\"}");
        assertRefused(response, 403, "approval_required", "ledger", "charges.get", "to-ledger");
        response.then().body("approval_id", notNullValue());
    }

    @ParameterizedTest
    @ValueSource(strings = { "..", ".", "../admin", "a/b", "..;x" })
    void refusesAFallbackPathThatAnUpstreamCouldReadAsAnotherPath(String id) {
        Response response = post(EXPORTS, "/tools/exports/exports/fetch", "{\"id\":\"" + id + "\"}");
        response.then().body("detail", containsString("the path of fallback action charges.cached"));
        assertRefused(response, 400, "invalid_arguments", "archive", "charges.cached", "fetch");
    }

    @Test
    void refusesAFallbackWhosePathCannotBeBuilt() {
        Response response = post(EXPORTS, "/tools/exports/exports/fetch", "{\"id\":\"\"}");
        response.then().statusCode(400).body("reason", equalTo("invalid_arguments"))
                .body("detail", containsString("cannot be built from the arguments"));
        assertEquals(List.of(), reached(response));
    }
}
