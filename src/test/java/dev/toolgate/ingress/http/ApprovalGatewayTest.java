package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.SUPPORT;
import static dev.toolgate.ingress.http.Calls.id;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.restassured.response.Response;

/** Approval tiers bound to the exact payload: open, approve, redeem, and every way a redemption is refused. */
abstract class ApprovalGatewayTest {

    static final String APPROVER_1 = "Bearer approver-1-key";
    static final String APPROVER_2 = "Bearer approver-2-key";
    static final String SELF = "Bearer self-approver-key";
    static final String GLOBEX = "Bearer globex-approver-key";
    static final String EAGER = "Bearer eager-key";

    static Response refund(String credential, String run, long amount, String approval) {
        return refund(credential, run, amount, approval, null);
    }

    static Response refund(String credential, String run, long amount, String approval, String idempotencyKey) {
        var request = given().header("Authorization", credential).header("Toolgate-Run-Id", run)
                .contentType("application/json");
        if (approval != null) {
            request.header("Toolgate-Approval", approval);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.body("{\"charge\":\"ch_1\",\"amount_usd_micros\":" + amount
                + ",\"tenant\":\"acme\",\"customer_email\":\"ann@example.com\"}").post("/tools/payments/refunds");
    }

    /** Opens a request for a refund and answers its approval id. */
    static String opened(String credential, String run, long amount) {
        Response held = refund(credential, run, amount, null);
        held.then().statusCode(403).body("reason", equalTo("approval_required"))
                .body("approval_id", notNullValue()).body("payload_sha256", notNullValue());
        return held.jsonPath().getString("approval_id");
    }

    static Response decide(String credential, String approvalId, String verb, String body) {
        return given().header("Authorization", credential).contentType("application/json").body(body)
                .post("/v1/approvals/" + approvalId + "/" + verb);
    }

    static List<String> events(String approvalId) {
        return AuditRecords.approvalEvents(approvalId).stream().map(r -> r.path("event").asText()).toList();
    }

    static long forwardedCalls(String decisionId) {
        return GatewayResource.tools().received().stream()
                .filter(r -> decisionId.equals(r.headers().get("toolgate-decision-id"))).count();
    }

    @Test
    void approveThenRedeemForwardsTheCallOnce() {
        String run = "run-approve-redeem";
        String approval = opened(SUPPORT, run, 60_000_000);

        given().header("Authorization", APPROVER_1).get("/v1/approvals?tool=payments").then().statusCode(200)
                .body("approvals.approval_id", hasItem(approval));
        given().header("Authorization", APPROVER_1).get("/v1/approvals/" + approval).then().statusCode(200)
                .body("state", equalTo("pending")).body("preview.amount_usd_micros", equalTo(60_000_000))
                .body("preview.customer_email", equalTo(null)).body("agent", equalTo("support-bot"));
        decide(APPROVER_1, approval, "approve", "{}").then().statusCode(200).body("state", equalTo("approved"));

        Response redeemed = refund(SUPPORT, run, 60_000_000, approval);
        redeemed.then().statusCode(201);
        assertEquals(1, forwardedCalls(id(redeemed)));
        List<String> events = AuditRecords.approvalEvents(approval).stream().map(r -> r.path("event").asText()).toList();
        assertEquals(List.of("opened", "approved", "redeemed"), events);
        assertTrue(AuditRecords.approvalEvents(approval).get(1).path("actor").asText().equals("approver-1"));
    }

    @Test
    void anApprovedCallRetriedWithItsIdempotencyKeyIsReplayed() {
        // given: a refund held for approval, approved, and redeemed by a call with an Idempotency-Key
        String run = "run-approved-retry";
        String key = "refund-" + UUID.randomUUID();
        Response held = refund(SUPPORT, run, 62_000_000, null, key);
        held.then().statusCode(403).body("reason", equalTo("approval_required"));
        String approval = held.jsonPath().getString("approval_id");
        decide(APPROVER_1, approval, "approve", "{}").then().statusCode(200);
        Response first = refund(SUPPORT, run, 62_000_000, approval, key);
        first.then().statusCode(201);
        assertNull(first.header("Toolgate-Idempotent-Replay"));

        // when: the identical call again, as a retry after a lost answer
        Response retry = refund(SUPPORT, run, 62_000_000, approval, key);

        // then
        retry.then().statusCode(201).header("Toolgate-Idempotent-Replay", "true");
        assertEquals(first.asString(), retry.asString(), "the identical body");
        assertEquals(1, GatewayResource.tools().received().stream()
                .filter(r -> key.equals(r.headers().get("idempotency-key"))).count(), "the tool saw one call");
        assertEquals(0, forwardedCalls(id(retry)));
        assertEquals("replayed", AuditRecords.await(id(retry), 1).get(0).path("type").asText());
        assertEquals(List.of("opened", "approved", "redeemed"), events(approval), "a repeat consumes nothing");
    }

    @Test
    void anApprovalIsGivenBackWhenItsCallNeverRuns() {
        // given: an approved refund
        String run = "run-given-back";
        String approval = opened(SUPPORT, run, 63_000_000);
        decide(APPROVER_1, approval, "approve", "{}").then().statusCode(200);

        // when: redeemed by a call the idempotency stage (after the approval stage) refuses, then by a correct one
        Response refused = refund(SUPPORT, run, 63_000_000, approval, "key with spaces");
        Response corrected = refund(SUPPORT, run, 63_000_000, approval, "refund-" + UUID.randomUUID());

        // then
        refused.then().statusCode(400).body("reason", equalTo("invalid_arguments"));
        assertEquals(0, forwardedCalls(id(refused)));
        corrected.then().statusCode(201);
        assertEquals(1, forwardedCalls(id(corrected)));
        List<JsonNode> records = AuditRecords.approvalEvents(approval);
        assertEquals(List.of("opened", "approved", "redeemed", "restored", "redeemed"), events(approval));
        JsonNode restored = records.get(3);
        assertEquals(id(refused), restored.path("decision_id").asText());
        assertEquals("toolgate", restored.path("actor").asText());
        assertEquals("approved", restored.path("state").asText());
        assertEquals(id(corrected), records.get(4).path("decision_id").asText());
    }

    @Test
    void refusesAnApprovalWhosePayloadChangedByOneMicroDollar() {
        String run = "run-payload-changed";
        String approval = opened(SUPPORT, run, 60_000_000);
        decide(APPROVER_1, approval, "approve", "{}").then().statusCode(200);
        Response changed = refund(SUPPORT, run, 60_000_001, approval);
        changed.then().statusCode(403).body("reason", equalTo("approval_invalid")).body("cause", equalTo("payload_changed"));
        assertEquals(0, forwardedCalls(id(changed)));
        assertEquals("approval_invalid", AuditRecords.denied(id(changed)).path("reason").asText());
    }

    @Test
    void twoRetriesRacingRedeemExactlyOnce() throws Exception {
        String run = "run-race";
        String approval = opened(SUPPORT, run, 70_000_000);
        decide(APPROVER_1, approval, "approve", "{}").then().statusCode(200);
        List<CompletableFuture<Integer>> racing = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            racing.add(CompletableFuture.supplyAsync(() -> refund(SUPPORT, run, 70_000_000, approval).statusCode()));
        }
        List<Integer> statuses = racing.stream().map(CompletableFuture::join).toList();
        assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(7, statuses.stream().filter(s -> s == 403).count(), statuses.toString());
    }

    @Test
    void anApproverNeverApprovesTheirOwnCall() {
        String approval = opened(SELF, "run-self", 60_000_000);
        decide(SELF, approval, "approve", "{}").then().statusCode(403).body("reason", equalTo("approval_invalid"))
                .body("cause", equalTo("self_approval"));
    }

    @Test
    void dualApprovalNeedsTwoDistinctApprovers() {
        String run = "run-dual";
        String approval = opened(SUPPORT, run, 1_000_000_001);
        decide(APPROVER_1, approval, "approve", "{}").then().statusCode(200).body("state", equalTo("pending"));
        decide(APPROVER_1, approval, "approve", "{}").then().statusCode(403).body("cause", equalTo("same_approver"));
        refund(SUPPORT, run, 1_000_000_001, approval).then().statusCode(403).body("cause", equalTo("pending"));
        decide(APPROVER_2, approval, "approve", "{}").then().statusCode(200).body("state", equalTo("approved"));
        refund(SUPPORT, run, 1_000_000_001, approval).then().statusCode(201);
    }

    @Test
    void anIrreversibleCallIsNeverOneClick() {
        Response held = given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", "run-ledger")
                .get("/tools/ledger/charges/ch_1");
        held.then().statusCode(403).body("reason", equalTo("approval_required"));
        String approval = held.jsonPath().getString("approval_id");
        String payload = held.jsonPath().getString("payload_sha256");
        decide(APPROVER_1, approval, "approve", "{}").then().statusCode(403)
                .body("cause", equalTo("payload_hash_required"));
        decide(APPROVER_1, approval, "approve", "{\"payload_sha256\":\"" + "0".repeat(64) + "\"}").then()
                .statusCode(403).body("cause", equalTo("payload_hash_mismatch"));
        decide(APPROVER_1, approval, "approve", "{\"payload_sha256\":\"" + payload + "\"}").then().statusCode(200)
                .body("state", equalTo("approved"));
        given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", "run-ledger")
                .header("Toolgate-Approval", approval).get("/tools/ledger/charges/ch_1").then().statusCode(200);
    }

    @Test
    void anApprovedCallWhoseFirstRunLeftNoAnswerNeverRunsTwice() {
        String key = "ledger-" + java.util.UUID.randomUUID();
        java.util.function.Function<String, Response> slowLedger = approval -> {
            var request = given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", "run-slow")
                    .header("Idempotency-Key", key);
            if (approval != null) {
                request.header("Toolgate-Approval", approval);
            }
            return request.get("/tools/ledger/charges/ch_slow");
        };
        Response held = slowLedger.apply(null);
        String approval = held.jsonPath().getString("approval_id");
        decide(APPROVER_1, approval, "approve", "{\"payload_sha256\":\"" + held.jsonPath().getString("payload_sha256")
                + "\"}").then().statusCode(200);

        // the tool acts but answers too late: no answer is kept, and the key stays in flight for its lease (1 s)
        Response first = slowLedger.apply(approval);
        first.then().statusCode(504).body("reason", equalTo("upstream_timeout"));
        Awaitility.await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);

        Response again = slowLedger.apply(approval);
        again.then().statusCode(403).body("reason", equalTo("approval_invalid")).body("cause", equalTo("used"));
        assertEquals(0, forwardedCalls(id(again)), "one approval, one execution");
        assertEquals(1, forwardedCalls(id(first)));
    }

    @Test
    void anExpiredApprovalCannotBeRedeemed() {
        String run = "run-expired";
        String approval = opened(SUPPORT, run, 80_000_000);
        decide(APPROVER_1, approval, "approve", "{}").then().statusCode(200);
        Awaitility.await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> true);
        refund(SUPPORT, run, 80_000_000, approval).then().statusCode(403).body("reason", equalTo("approval_invalid"))
                .body("cause", equalTo("expired"));
    }

    @Test
    void anUndecidedRequestExpiresIntoTheAuditLog() {
        String approval = opened(SUPPORT, "run-undecided", 90_000_000);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> AuditRecords.approvalEvents(approval).stream()
                .anyMatch(r -> r.path("event").asText().equals("expired")));
        JsonNode expired = AuditRecords.approvalEvents(approval).get(1);
        assertEquals("toolgate", expired.path("actor").asText());
        assertEquals("expired", expired.path("state").asText());
    }

    @Test
    void anotherTenantsApproverCannotSeeOrApprove() {
        String approval = opened(SUPPORT, "run-tenant", 60_000_000);
        given().header("Authorization", GLOBEX).get("/v1/approvals/" + approval).then().statusCode(403)
                .body("cause", equalTo("not_found"));
        decide(GLOBEX, approval, "approve", "{}").then().statusCode(403).body("cause", equalTo("not_found"));
        given().header("Authorization", SUPPORT).get("/v1/approvals").then().statusCode(403);
    }

    @Test
    void aRejectedApprovalIsRefusedWithItsCause() {
        String run = "run-reject";
        String approval = opened(SUPPORT, run, 60_000_000);
        decide(APPROVER_2, approval, "reject", "{}").then().statusCode(200).body("state", equalTo("rejected"));
        refund(SUPPORT, run, 60_000_000, approval).then().statusCode(403).body("cause", equalTo("rejected"));
        assertEquals(List.of("opened", "rejected"),
                AuditRecords.approvalEvents(approval).stream().map(r -> r.path("event").asText()).toList());
    }

    @Test
    void redeemingFromAnotherRunIsRefused() {
        String approval = opened(SUPPORT, "run-a", 60_000_000);
        decide(APPROVER_1, approval, "approve", "{}").then().statusCode(200);
        refund(SUPPORT, "run-b", 60_000_000, approval).then().statusCode(403).body("cause", equalTo("other_run"));
    }

    @Test
    void notifiesTheWebhookWithThePreviewAndRetries() {
        String approval = opened(SUPPORT, "run-webhook", 65_000_000);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> GatewayResource.webhooks().stream()
                .anyMatch(h -> approval.equals(h.getString("approval_id"))));
        var hook = GatewayResource.webhooks().stream().filter(h -> approval.equals(h.getString("approval_id")))
                .findFirst().orElseThrow();
        assertEquals(2, GatewayResource.webhookAttempts(approval), "refused once, delivered on the retry");
        assertEquals("https://toolgate.test/v1/approvals/" + approval, hook.getString("link"));
        assertEquals(65_000_000L, hook.getJsonObject("preview").getLong("amount_usd_micros"));
        assertFalse(hook.encode().contains("ann@example.com"), "the preview is redacted");
    }

    @Test
    void repeatingACallThatWaitsAnswersTheSameRequest() {
        String run = "run-" + UUID.randomUUID();
        String first = opened(SUPPORT, run, 1_000_000_003);
        String again = opened(SUPPORT, run, 1_000_000_003);
        String otherRun = opened(SUPPORT, "run-" + UUID.randomUUID(), 1_000_000_003);
        String otherPayload = opened(SUPPORT, run, 1_000_000_004);

        assertEquals(first, again, "the same agent, run and payload wait on one request");
        assertTrue(first != null && !first.equals(otherRun) && !first.equals(otherPayload));
        assertEquals(List.of("opened"), events(first), "opened once, notified once");
    }

    @Test
    void anAgentWithTooManyRequestsWaitingIsRateLimitedEvenWhenItRacesItself() {
        // given: 25 different calls of one agent, 8 at a time, each needing a sign-off (the bound is 20)
        String run = "run-" + UUID.randomUUID();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.Map<Long, Response> answers = new java.util.TreeMap<>();
        try {
            java.util.Map<Long, CompletableFuture<Response>> calls = new java.util.TreeMap<>();
            for (long amount = 1_000_000_100L; amount < 1_000_000_125L; amount++) {
                long a = amount;
                calls.put(a, CompletableFuture.supplyAsync(() -> refund(EAGER, run, a, null), pool));
            }
            calls.forEach((a, call) -> answers.put(a, call.join()));
        } finally {
            pool.shutdown();
        }

        // then: 20 requests wait, no more, and the calls beyond the bound are refused naming it (a call whose store
        // step outlived toolgate.redis-timeout on a busy machine fails closed, 500 gateway_error, and is not counted)
        List<Long> waiting = answers.keySet().stream().filter(a -> answers.get(a).statusCode() == 403).toList();
        List<Response> refused = answers.values().stream().filter(r -> r.statusCode() == 429).toList();
        List<Integer> statuses = answers.values().stream().map(Response::statusCode).toList();
        assertTrue(waiting.size() <= 20 && refused.size() >= 5 && statuses.stream().allMatch(
                status -> status == 403 || status == 429 || status == 500), "answers: " + statuses);
        long stored = given().header("Authorization", APPROVER_1).get("/v1/approvals").then().statusCode(200)
                .extract().jsonPath().getList("approvals.agent", String.class).stream()
                .filter("eager-bot"::equals).count();
        assertEquals(20, stored, "answers: " + statuses);
        refused.get(0).then().contentType("application/problem+json")
                .body("reason", equalTo("rate_limited"))
                .body("limit", equalTo("approvals.max-pending"))
                .body("max_pending", equalTo(20));
        assertTrue(refused.get(0).jsonPath().getString("detail").contains("toolgate.approvals.max-pending = 20"));
        assertEquals("rate_limited",
                AuditRecords.denied(refused.get(0).header("Toolgate-Decision-Id")).path("reason").asText());
        // a call that waits already is answered with its request, bound or not
        Long first = waiting.get(0);
        assertEquals(answers.get(first).jsonPath().getString("approval_id"), opened(EAGER, run, first));
    }
}
