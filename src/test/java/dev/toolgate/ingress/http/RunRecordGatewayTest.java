package dev.toolgate.ingress.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** {@code GET /v1/runs/{id}} and {@code GET /v1/runs}: a run read back from the audit log, and who may read it. */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class RunRecordGatewayTest {

    private static final String SUPPORT = "Bearer demo-support-key";
    private static final String RELEASE = "Bearer demo-deploy-key";
    private static final String AUDITOR = "Bearer auditor-1-key";
    private static final String GLOBEX = "Bearer globex-deploy-key";
    private static final String APPROVER = "Bearer approver-1-key";

    private static Response refund(String run, long amount, String tenant) {
        return given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", run).contentType("application/json")
                .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":" + amount + ",\"tenant\":\"" + tenant + "\"}")
                .post("/tools/payments/refunds");
    }

    private static Response run(String credential, String run) {
        return given().header("Authorization", credential).get("/v1/runs/" + run);
    }

    @Test
    void aRunIsReadBackWithItsCallsDecisionsSpendAndApprovals() {
        // given a run of three refunds: one forwarded, one for another tenant, one held for approval and approved
        String run = "run-record-" + UUID.randomUUID();
        Response forwarded = refund(run, 5_000_000, "acme");
        forwarded.then().statusCode(201);
        Response denied = refund(run, 1_000, "globex");
        denied.then().statusCode(403);
        Response held = refund(run, 60_000_000, "acme");
        held.then().statusCode(403).body("reason", equalTo("approval_required"));
        String approval = held.jsonPath().getString("approval_id");
        given().header("Authorization", APPROVER).contentType("application/json").body("{}")
                .post("/v1/approvals/" + approval + "/approve").then().statusCode(200);
        Response deployed = given().header("Authorization", RELEASE).header("Toolgate-Run-Id", run)
                .contentType("application/json").body("{\"service\":\"api\",\"environment\":\"staging\"}")
                .post("/tools/deploy/deployments");
        deployed.then().statusCode(202);
        AuditRecords.await(forwarded.header("Toolgate-Decision-Id"), 2);
        AuditRecords.await(deployed.header("Toolgate-Decision-Id"), 2);

        // when its agent asks for it
        Response answer = run(SUPPORT, run);

        // then every call is there in order, with its decision, result, cost and the approval's events
        answer.then().statusCode(200).contentType("application/json");
        JsonPath doc = answer.jsonPath();
        assertEquals(run, doc.getString("run_id"));
        assertEquals("acme", doc.getString("tenant"));
        assertEquals(List.of("support-bot"), doc.getList("agents"));
        List<Map<String, Object>> calls = doc.getList("calls");
        assertEquals(3, calls.size(), answer.asString());
        assertEquals(forwarded.header("Toolgate-Decision-Id"), calls.get(0).get("decision_id"));
        assertEquals("forwarded", calls.get(0).get("result"));
        assertEquals("allow", calls.get(0).get("decision"));
        assertEquals("refunds.create", calls.get(0).get("action"));
        assertEquals("201", calls.get(0).get("status"));
        assertEquals(0, ((Number) calls.get(0).get("cost_usd_micros")).intValue(), "the contract gives no cost");
        assertTrue(((Number) calls.get(0).get("latency_ms")).intValue() >= 0);
        assertTrue(calls.get(0).get("args_sha256").toString().matches("[0-9a-f]{64}"));
        assertTrue(calls.get(0).get("policy_revision").toString().length() > 0);
        assertEquals("denied", calls.get(1).get("result"));
        assertEquals("policy_denied", calls.get(1).get("reason"));
        assertTrue(((List<?>) calls.get(1).get("reasons")).toString().contains("not the caller's tenant"));
        assertEquals("approval_required", calls.get(2).get("reason"));
        assertEquals("required", calls.get(2).get("approval"));
        assertEquals(approval, calls.get(2).get("approval_id"));
        assertEquals(List.of("opened", "approved"), doc.getList("approvals.event"));
        assertEquals(0, doc.getLong("spend_usd_micros"));
        assertEquals(1, doc.getInt("outcome.forwarded"));
        assertEquals(2, doc.getInt("outcome.denied"));
        assertEquals("denials", doc.getString("outcome.status"));

        // and the auditor sees the other agent's deployment in the same run too, at the cost the tool reported
        JsonPath all = run(AUDITOR, run).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("support-bot", "release-bot"), all.getList("agents"));
        assertEquals(4, all.getList("calls").size());
        assertEquals("deployments.create", all.getString("calls[3].action"));
        assertEquals("202", all.getString("calls[3].status"));
        assertEquals(700_000, all.getLong("calls[3].cost_usd_micros"));
        assertEquals(700_000, all.getLong("spend_usd_micros"));
    }

    @Test
    void anotherAgentOfTheTenantSeesNothingButAnAuditorSeesAll() {
        String run = "run-private-" + UUID.randomUUID();
        refund(run, 1_000_000, "acme").then().statusCode(201);

        run(RELEASE, run).then().statusCode(404).body("reason", equalTo("not_found"));
        run(AUDITOR, run).then().statusCode(200).body("calls.size()", equalTo(1))
                .body("agents", hasItem("support-bot"));
        run(GLOBEX, run).then().statusCode(404).body("reason", equalTo("not_found"));
        given().get("/v1/runs/" + run).then().statusCode(401).body("reason", equalTo("unauthenticated"));
    }

    @Test
    void runsAreListedMostRecentFirstForTheirAgentOrTheAuditor() {
        String older = "run-list-a-" + UUID.randomUUID();
        String newer = "run-list-b-" + UUID.randomUUID();
        refund(older, 1_000_000, "acme").then().statusCode(201);
        refund(newer, 1_000_000, "acme").then().statusCode(201);

        List<String> mine = given().header("Authorization", SUPPORT).get("/v1/runs?limit=1000").then()
                .statusCode(200).extract().jsonPath().getList("runs.run_id");
        assertTrue(mine.indexOf(newer) >= 0 && mine.indexOf(newer) < mine.indexOf(older), mine.toString());
        given().header("Authorization", RELEASE).get("/v1/runs").then().statusCode(200)
                .body("runs.run_id", not(hasItem(newer)));
        given().header("Authorization", AUDITOR).get("/v1/runs?agent=support-bot&limit=1000").then().statusCode(200)
                .body("runs.run_id", hasItem(newer));
        given().header("Authorization", RELEASE).get("/v1/runs?agent=support-bot").then().statusCode(403)
                .body("reason", equalTo("tool_not_granted"));
        given().header("Authorization", SUPPORT).get("/v1/runs?since=yesterday").then().statusCode(400)
                .body("reason", equalTo("invalid_arguments"));
        given().header("Authorization", SUPPORT).get("/v1/runs?since=2999-01-01T00:00:00Z").then().statusCode(200)
                .body("runs.size()", equalTo(0));
    }

    @Test
    void runsShowPrintsTheSameRecordOfflineAsTheAuditorGets() throws Exception {
        String run = "run-offline-" + UUID.randomUUID();
        Response forwarded = refund(run, 2_000_000, "acme");
        forwarded.then().statusCode(201);
        refund(run, 1_000, "globex").then().statusCode(403);
        AuditRecords.await(forwarded.header("Toolgate-Decision-Id"), 2);
        String online = run(AUDITOR, run).then().statusCode(200).extract().asString();

        dev.toolgate.testing.Cli.Run shown = dev.toolgate.testing.Cli.run("runs", "show", run, "--audit",
                GatewayResource.auditFile().toString());
        assertEquals(0, shown.status(), shown.err());
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode fromApi = (com.fasterxml.jackson.databind.node.ObjectNode) json
                .readTree(online);
        com.fasterxml.jackson.databind.node.ObjectNode offline = (com.fasterxml.jackson.databind.node.ObjectNode) json
                .readTree(shown.out());
        // the budgets live in the limits store: the API knows them (this contract has no run budget), offline not
        assertEquals(json.createArrayNode(), fromApi.remove("budgets"));
        assertTrue(offline.remove("budgets").isNull());
        assertEquals(fromApi, offline);

        assertEquals(1, dev.toolgate.testing.Cli.run("runs", "show", "no-such-run-" + UUID.randomUUID(), "--audit",
                GatewayResource.auditFile().toString()).status());
    }
}
