package dev.toolgate.limits;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.demo.SampleTools;
import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.LimitsResource;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Rate limits and budgets through the HTTP gateway: one behaviour, two stores (see the subclasses).
 */
abstract class LimitsGatewayTest {

    static final String SUPPORT = "Bearer demo-support-key";
    static final String RELEASE = "Bearer demo-deploy-key";
    static final String REPORTS = "Bearer report-key";
    static final String ADMIN = "Bearer admin-key";
    static final String APPROVER = "Bearer limits-approver-key";

    static String run() {
        return "run-" + UUID.randomUUID();
    }

    static Response refund(String run, long amount) {
        return given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", run).contentType("application/json")
                .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":" + amount + ",\"tenant\":\"acme\"}")
                .post("/tools/payments/refunds");
    }

    static Response post(String credential, String run, String path, String body) {
        return given().header("Authorization", credential).header("Toolgate-Run-Id", run)
                .contentType("application/json").body(body).post(path);
    }

    static JsonPath budget(String name, String query) {
        return given().header("Authorization", ADMIN).get("/admin/budgets/" + name + "?" + query).then()
                .statusCode(200).extract().jsonPath();
    }

    static boolean reachedTool(Response response) {
        return LimitsResource.tools().received().stream()
                .anyMatch(r -> response.header("Toolgate-Decision-Id").equals(r.headers().get("toolgate-decision-id")));
    }

    static List<JsonNode> audit(Response response, int count) {
        return AuditRecords.await(LimitsResource.auditFile(), response.header("Toolgate-Decision-Id"), count);
    }

    @Test
    void answersRateLimitedWithRetryAfterOnceTheBurstIsUsed() {
        for (int remaining = 2; remaining >= 0; remaining--) {
            given().header("Authorization", SUPPORT).get("/tools/payments/charges/ch_1").then().statusCode(200)
                    .header("RateLimit-Policy", "\"charge-lookups\";q=3;w=60")
                    .header("RateLimit", org.hamcrest.Matchers.startsWith("\"charge-lookups\";r=" + remaining + ";t="));
        }
        Response limited = given().header("Authorization", SUPPORT).get("/tools/payments/charges/ch_1");
        limited.then().statusCode(429).contentType("application/problem+json")
                .body("reason", equalTo("rate_limited")).body("limit", equalTo("charge-lookups"))
                .header("Retry-After", notNullValue())
                .header("RateLimit", org.hamcrest.Matchers.startsWith("\"charge-lookups\";r=0;t="));
        long retryAfter = Long.parseLong(limited.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 20, "one token returns every 20 s: " + retryAfter);
        assertFalse(reachedTool(limited));
        assertEquals("rate_limited", audit(limited, 1).get(0).path("reason").asText());
    }

    @Test
    void stopsARefundTheRunBudgetCannotAdmitAndSaysWhatIsLeft() {
        String run = run();
        refund(run, 6_000_000).then().statusCode(201);
        Response over = refund(run, 4_000_001);
        over.then().statusCode(403).contentType("application/problem+json")
                .body("reason", equalTo("budget_exceeded")).body("budget", equalTo("refunds-per-run"))
                .body("cap_usd_micros", equalTo(10_000_000)).body("remaining_usd_micros", equalTo(4_000_000));
        assertFalse(reachedTool(over));
        assertEquals("budget_exceeded", audit(over, 1).get(0).path("reason").asText());
        refund(run, 4_000_000).then().statusCode(201);

        JsonPath state = budget("refunds-per-run", "agent=support-bot&run=" + run);
        assertEquals(10_000_000L, state.getLong("spent_usd_micros"));
        assertEquals(0L, state.getLong("reserved_usd_micros"));
    }

    @Test
    void needsARunIdWhenARunBudgetApplies() {
        given().header("Authorization", SUPPORT).contentType("application/json")
                .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":5,\"tenant\":\"acme\"}").post("/tools/payments/refunds")
                .then().statusCode(400).body("reason", equalTo("invalid_arguments"));
    }

    @Test
    void settlesAtTheCostTheToolReports() {
        String run = run();
        Response deployed = post(RELEASE, run, "/tools/deploy/deployments", "{\"service\":\"api\",\"environment\":\"dev\"}");
        deployed.then().statusCode(202);
        JsonPath state = budget("deploys-per-run", "agent=release-bot&run=" + run);
        assertEquals(SampleTools.DEPLOYMENT_COST_USD_MICROS, state.getLong("spent_usd_micros"));
        assertEquals(0L, state.getLong("reserved_usd_micros"));
    }

    @Test
    void escalatesASpentBudgetToAnApprovalThatLetsTheCallSpendBeyondIt() {
        String run = run();
        String body = "{\"service\":\"api\",\"environment\":\"dev\"}";
        post(RELEASE, run, "/tools/deploy/deployments", body).then().statusCode(202);
        post(RELEASE, run, "/tools/deploy/deployments", body).then().statusCode(202);
        Response third = post(RELEASE, run, "/tools/deploy/deployments", body);
        third.then().statusCode(403).body("reason", equalTo("approval_required"))
                .body("budget", equalTo("deploys-per-run")).body("approval_tier", equalTo("required"))
                .body("approval_id", notNullValue());
        assertFalse(reachedTool(third));
        String approval = third.jsonPath().getString("approval_id");
        given().header("Authorization", APPROVER).get("/v1/approvals/" + approval).then().statusCode(200)
                .body("reasons[0]", org.hamcrest.Matchers.startsWith("budget escalation: budget deploys-per-run"));

        // signed off: the same call goes ahead beyond the cap, and its spend still counts
        given().header("Authorization", APPROVER).post("/v1/approvals/" + approval + "/approve").then().statusCode(200);
        Response approved = given().header("Authorization", RELEASE).header("Toolgate-Run-Id", run)
                .header("Toolgate-Approval", approval).contentType("application/json").body(body)
                .post("/tools/deploy/deployments");
        approved.then().statusCode(202);
        assertTrue(reachedTool(approved));
        JsonPath state = budget("deploys-per-run", "agent=release-bot&run=" + run);
        assertEquals(3 * SampleTools.DEPLOYMENT_COST_USD_MICROS, state.getLong("spent_usd_micros"));

        // the approval was for that call only: the next one escalates again
        post(RELEASE, run, "/tools/deploy/deployments", body).then().statusCode(403)
                .body("reason", equalTo("approval_required")).body("approval_id", notNullValue());
    }

    @Test
    void degradesToTheFallbackActionWhenItsBudgetIsSpent() {
        String run = run();
        Response first = given().header("Authorization", REPORTS).header("Toolgate-Run-Id", run)
                .get("/tools/reports/exports/ch_9");
        assertTrue(reachedTool(first));
        Response degraded = given().header("Authorization", REPORTS).header("Toolgate-Run-Id", run)
                .get("/tools/reports/exports/ch_9");
        degraded.then().statusCode(200).body("id", equalTo("ch_9"));
        SampleTools.Received received = LimitsResource.tools().received().stream()
                .filter(r -> degraded.header("Toolgate-Decision-Id").equals(r.headers().get("toolgate-decision-id")))
                .findFirst().orElseThrow();
        assertEquals("/charges/ch_9", received.path(), "the fallback action's own path");
        JsonNode intent = audit(degraded, 2).get(0);
        assertEquals("payments", intent.path("tool").asText());
        assertEquals("charges.get", intent.path("action").asText());
        assertEquals("exports.create", intent.path("degraded_from").path("action").asText());
    }

    @Test
    void degradesToADryRunWhenTheFallbackSaysSo() {
        String run = run();
        post(RELEASE, run, "/tools/deploy/rollbacks", "{\"service\":\"api\"}");
        Response degraded = post(RELEASE, run, "/tools/deploy/rollbacks", "{\"service\":\"api\"}");
        degraded.then().statusCode(200).body("mode", equalTo("dry-run")).body("would_forward", equalTo(true));
        assertFalse(reachedTool(degraded));
    }

    @Test
    void aDryRunReservesNothing() {
        String run = run();
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", run).header("Toolgate-Mode", "dry-run")
                    .contentType("application/json")
                    .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":9000000,\"tenant\":\"acme\"}")
                    .post("/tools/payments/refunds").then().statusCode(200).body("decision", equalTo("allow"));
        }
        JsonPath state = budget("refunds-per-run", "agent=support-bot&run=" + run);
        assertEquals(0L, state.getLong("spent_usd_micros"));
        assertEquals(0L, state.getLong("reserved_usd_micros"));
    }

    @Test
    void aCallThatNeverReachedTheToolLeavesItsBudgetUntouched() {
        // given a tool nothing listens for
        String run = run();
        Response response = given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", run)
                .get("/tools/offline/status");

        // then the call fails, its reservation is released rather than settled at the estimate
        response.then().statusCode(502).body("reason", equalTo("upstream_unavailable"));
        JsonPath state = budget("offline-per-run", "agent=support-bot&run=" + run);
        assertEquals(0L, state.getLong("spent_usd_micros"));
        assertEquals(0L, state.getLong("reserved_usd_micros"));
        // and the outcome record says it was never sent
        assertEquals("not_sent", audit(response, 2).get(1).path("status").asText());
    }

    @Test
    void aCheckedCallOverItsBudgetIsAnsweredWithTheFallbackToCall() {
        // given a run whose exports budget is spent
        String run = run();
        assertTrue(reachedTool(given().header("Authorization", REPORTS).header("Toolgate-Run-Id", run)
                .get("/tools/reports/exports/ch_9")));

        // when the orchestrator checks the same call
        Response check = given().header("Authorization", REPORTS).header("Toolgate-Run-Id", run)
                .contentType("application/json")
                .body("{\"tool\":\"reports\",\"method\":\"GET\",\"path\":\"/exports/ch_9\"}")
                .post("/v1/check");

        // then it is told to call the fallback, decided as the fallback, and what it replaces
        check.then().statusCode(200).body("decision", equalTo("allow")).body("tool", equalTo("payments"))
                .body("action", equalTo("charges.get")).body("method", equalTo("GET"))
                .body("path", equalTo("/charges/ch_9")).body("degraded_from.action", equalTo("exports.create"));
        assertFalse(reachedTool(check), "a check forwards nothing");
    }

    @Test
    void aRepeatedCheckWithItsIdempotencyKeyIsOneDecisionAndOneReservation() {
        String run = run();
        String key = "check-" + UUID.randomUUID();
        String refund = "{\"tool\":\"payments\",\"method\":\"POST\",\"path\":\"/refunds\",\"body\":"
                + "{\"charge\":\"ch_1\",\"amount_usd_micros\":%d,\"tenant\":\"acme\"}}";

        Response first = check(run, key, refund.formatted(1_500_000));
        Response again = check(run, key, refund.formatted(1_500_000));
        Response otherPayload = check(run, key, refund.formatted(1_600_000));

        first.then().statusCode(200).body("decision", equalTo("allow"));
        String id = first.jsonPath().getString("decision_id");
        again.then().statusCode(200).header("Toolgate-Idempotent-Replay", "true").body("decision_id", equalTo(id));
        otherPayload.then().statusCode(422).body("reason", equalTo("idempotency_conflict"))
                .body("original_decision_id", equalTo(id));
        assertEquals(1_500_000L, budget("refunds-per-run", "agent=support-bot&run=" + run).getLong("reserved_usd_micros"),
                "reserved once");
        given().header("Authorization", SUPPORT).contentType("application/json")
                .body("{\"decision_id\":\"" + id + "\",\"status\":\"201\"}").post("/v1/report").then()
                .statusCode(200);
        JsonPath state = budget("refunds-per-run", "agent=support-bot&run=" + run);
        assertEquals(1_500_000L, state.getLong("spent_usd_micros"));
        assertEquals(0L, state.getLong("reserved_usd_micros"));
    }

    private static Response check(String run, String idempotencyKey, String body) {
        return given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", run)
                .header("Idempotency-Key", idempotencyKey).contentType("application/json").body(body)
                .post("/v1/check");
    }

    @Test
    void aPerAgentBudgetHoldsWhateverRunIdsTheAgentInvents() {
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", "Bearer nightly-key").header("Toolgate-Run-Id", run())
                    .get("/tools/lookups/charges/ch_" + i).then().statusCode(200);
        }
        given().header("Authorization", "Bearer nightly-key").header("Toolgate-Run-Id", run())
                .get("/tools/lookups/charges/ch_3").then().statusCode(403).body("reason", equalTo("budget_exceeded"))
                .body("budget", equalTo("lookups-per-agent"));
        assertEquals(2000L, budget("lookups-per-agent", "agent=nightly-bot").getLong("spent_usd_micros"));
    }

    @Test
    void checkReservesAndReportSettlesOnce() {
        String run = run();
        Response check = given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", run)
                .contentType("application/json")
                .body("{\"tool\":\"payments\",\"method\":\"POST\",\"path\":\"/refunds\",\"body\":"
                        + "{\"charge\":\"ch_1\",\"amount_usd_micros\":3000000,\"tenant\":\"acme\"}}")
                .post("/v1/check");
        check.then().statusCode(200).body("decision", equalTo("allow")).body("action", equalTo("refunds.create"));
        String id = check.jsonPath().getString("decision_id");
        assertEquals(3_000_000L, budget("refunds-per-run", "agent=support-bot&run=" + run).getLong("reserved_usd_micros"));
        assertFalse(reachedTool(check), "a check forwards nothing");

        given().header("Authorization", SUPPORT).contentType("application/json")
                .body("{\"decision_id\":\"" + id + "\",\"cost_usd_micros\":2000000,\"status\":\"201\"}")
                .post("/v1/report").then().statusCode(200).body("settled", equalTo(true));
        JsonPath state = budget("refunds-per-run", "agent=support-bot&run=" + run);
        assertEquals(2_000_000L, state.getLong("spent_usd_micros"));
        assertEquals(0L, state.getLong("reserved_usd_micros"));
        List<JsonNode> records = AuditRecords.await(LimitsResource.auditFile(), id, 2);
        assertEquals(List.of("intent", "outcome"), records.stream().map(r -> r.path("type").asText()).toList());

        given().header("Authorization", SUPPORT).contentType("application/json")
                .body("{\"decision_id\":\"" + id + "\",\"cost_usd_micros\":2000000}")
                .post("/v1/report").then().statusCode(400).body("reason", equalTo("invalid_arguments"));
    }

    @Test
    void anUnreportedCheckIsReleasedWhenItsLeaseRunsOut() {
        String run = run();
        given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", run).contentType("application/json")
                .body("{\"tool\":\"payments\",\"method\":\"POST\",\"path\":\"/refunds\",\"body\":"
                        + "{\"charge\":\"ch_1\",\"amount_usd_micros\":7000000,\"tenant\":\"acme\"}}")
                .post("/v1/check").then().statusCode(200);
        assertEquals(7_000_000L, budget("refunds-per-run", "agent=support-bot&run=" + run).getLong("reserved_usd_micros"));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(
                () -> budget("refunds-per-run", "agent=support-bot&run=" + run).getLong("reserved_usd_micros") == 0L);
        assertEquals(0L, budget("refunds-per-run", "agent=support-bot&run=" + run).getLong("spent_usd_micros"));
    }

    @Test
    void aRuntimeKillSwitchStopsTheWorkflowUntilCleared() {
        String run = run();
        given().header("Authorization", SUPPORT).contentType("application/json").body("{\"reason\":\"x\"}")
                .put("/admin/kill-switches/workflow/reporting").then().statusCode(403);
        given().header("Authorization", ADMIN).contentType("application/json").body("{}")
                .put("/admin/kill-switches/workflow/reporting").then().statusCode(400);
        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"reason\":\"runaway export loop\"}").put("/admin/kill-switches/workflow/reporting").then()
                .statusCode(200).body("kill_switch", equalTo("workflow:reporting")).body("engaged", equalTo(true));
        try {
            Response killed = given().header("Authorization", REPORTS).header("Toolgate-Run-Id", run)
                    .get("/tools/reports/exports/ch_3");
            killed.then().statusCode(403).body("reason", equalTo("kill_switch"))
                    .body("detail", org.hamcrest.Matchers.containsString("runaway export loop"));
            assertFalse(reachedTool(killed));
            // other workflows of the tenant go on
            refund(run, 1_000).then().statusCode(201);
        } finally {
            given().header("Authorization", ADMIN).delete("/admin/kill-switches/workflow/reporting").then()
                    .statusCode(200).body("engaged", equalTo(false));
        }
        Response again = given().header("Authorization", REPORTS).header("Toolgate-Run-Id", run)
                .get("/tools/reports/exports/ch_3");
        assertTrue(reachedTool(again));
    }

    @Test
    void budgetAdminNeedsTheAdminRoleAndResets() {
        String run = run();
        refund(run, 1_000_000).then().statusCode(201);
        given().header("Authorization", SUPPORT).get("/admin/budgets/refunds-per-run?agent=support-bot&run=" + run).then()
                .statusCode(403).body("reason", equalTo("tool_not_granted"));
        given().get("/admin/budgets/refunds-per-run?agent=support-bot&run=" + run).then().statusCode(401);
        JsonPath before = budget("refunds-per-run", "agent=support-bot&run=" + run);
        assertEquals(1_000_000L, before.getLong("spent_usd_micros"));
        assertEquals(9_000_000L, before.getLong("remaining_usd_micros"));
        given().header("Authorization", ADMIN).post("/admin/budgets/refunds-per-run/reset?agent=support-bot&run=" + run).then()
                .statusCode(200).body("spent_usd_micros", equalTo(0)).body("reset", equalTo(true));
    }

    @Test
    void aRunRecordShowsTheRunBudgetsItSpentFrom() {
        // given a refund of 2 USD in a run, against the 10 USD refunds-per-run budget
        String run = run();
        refund(run, 2_000_000).then().statusCode(201);

        // then the run's record shows that budget with what the run spent of it, once settled
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> given()
                .header("Authorization", SUPPORT).get("/v1/runs/" + run).then().statusCode(200).extract().jsonPath()
                .getLong("budgets.find { it.budget == 'refunds-per-run' }.spent_usd_micros") == 2_000_000L);
        JsonPath record = given().header("Authorization", SUPPORT).get("/v1/runs/" + run).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of("refunds-per-run"), record.getList("budgets.budget"));
        assertEquals("support-bot", record.getString("budgets[0].agent"));
        assertEquals(10_000_000L, record.getLong("budgets[0].cap_usd_micros"));
        assertEquals(0L, record.getLong("budgets[0].reserved_usd_micros"));
    }
}
