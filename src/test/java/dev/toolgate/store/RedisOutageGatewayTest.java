package dev.toolgate.store;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.demo.SampleTools;
import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.CallLoad;
import dev.toolgate.testing.RedisOutageResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Redis paused ({@code SIGSTOP}: connections stay open, nothing answers) and killed under concurrent load, against the
 * running gateway with every store in Redis. While it is gone each stage keeps its failure mode: spend caps
 * ({@code limits_unavailable}), approvals and idempotency ({@code gateway_error}) stay closed and nothing they guard
 * reaches a tool; rate limits fall back to the instance's own limiter, and every such call is audited
 * ({@code fail_open}) and counted. No call hangs. Once Redis is back, no reservation is left: what its lease covered is
 * settled or swept, and the budget's {@code reserved} is 0 again.
 */
@QuarkusTest
@WithTestResource(RedisOutageResource.class)
class RedisOutageGatewayTest {

    private static final String AGENT = "Bearer outage-key";
    private static final String ADMIN = "Bearer outage-admin-key";
    private static final String APPROVER = "Bearer outage-approver-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** No call waits long for a Redis that does not answer: a few store calls of 250 ms each, on a busy machine. */
    private static final Duration NO_HANG = Duration.ofSeconds(5);
    /** Shorter than the 2 s lease, so that every settle Redis runs late still finds its reservation. */
    private static final Duration PAUSE = Duration.ofMillis(1_500);

    @TestHTTPResource("/")
    URL root;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @AfterEach
    void redisRuns() {
        RedisOutageResource.redis().resume();
    }

    private List<CallLoad.Kind> calls() {
        URI base = URI.create(root.toString());
        String keys = UUID.randomUUID().toString();
        return List.of(
                new CallLoad.Kind("lookup", n -> CallLoad.request(base, "/tools/lookups/charges/ch_" + n, AGENT)),
                new CallLoad.Kind("refund", n -> CallLoad.post(base, "/tools/refunds/refunds", AGENT,
                        "{\"charge\":\"ch_" + n + "\",\"amount_usd_micros\":" + (1_000 + n) + ",\"tenant\":\"acme\"}")),
                new CallLoad.Kind("journal", n -> CallLoad.post(base, "/tools/journal/refunds", AGENT, "{\"n\":" + n + "}")
                        .header("Idempotency-Key", keys + "-" + n)),
                new CallLoad.Kind("vault", n -> CallLoad.request(base, "/tools/vault/charges/ch_" + n, AGENT)));
    }

    private static JsonPath budget() {
        return given().header("Authorization", ADMIN).get("/admin/budgets/refunds-per-month").then().statusCode(200)
                .extract().jsonPath();
    }

    private double metric(String prefix, String... labels) {
        String text = given().get(metrics.toString()).then().statusCode(200).extract().asString();
        return text.lines().filter(l -> l.startsWith(prefix + "{") && java.util.Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private double failOpens() {
        return metric("toolgate_limits_fail_open_total", "tool=\"lookups\"", "what=\"rate\"");
    }

    /** The decision ids the tool received. */
    private static Set<String> received() {
        return RedisOutageResource.tools().received().stream().map(r -> r.headers().get("toolgate-decision-id"))
                .collect(Collectors.toSet());
    }

    /** The amounts of the refunds the tool received, by decision id. */
    private static long refundedAmount(List<CallLoad.Result> results, Predicate<CallLoad.Result> which) {
        Map<String, SampleTools.Received> byId = RedisOutageResource.tools().received().stream()
                .collect(Collectors.toMap(r -> r.headers().get("toolgate-decision-id"), r -> r, (a, b) -> a));
        long sum = 0;
        for (CallLoad.Result r : results) {
            if (r.kind().equals("refund") && byId.containsKey(r.decisionId()) && which.test(r)) {
                try {
                    sum += JSON.readTree(byId.get(r.decisionId()).body()).path("amount_usd_micros").asLong();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return sum;
    }

    /**
     * What every call of a run must show, outage or not: an answer in time, and nothing reaching the tool that a closed
     * store should have stopped (a refund refused for its limits, a journal entry or a vault call refused).
     */
    private static void nothingHungAndNothingSlippedThrough(List<CallLoad.Result> results) {
        Set<String> received = received();
        for (CallLoad.Result r : results) {
            assertTrue(r.status() != 0, "no answer: " + r);
            assertTrue(r.took().compareTo(NO_HANG) < 0, r.kind() + " took " + r.took() + ": " + r.body());
            if (r.status() >= 400 && r.status() != 504) {
                assertFalse(received.contains(r.decisionId()), "refused, yet the tool received it: " + r);
            }
            if (r.kind().equals("vault")) {
                // no call carried an approval: none may reach the tool
                assertFalse(received.contains(r.decisionId()), "an unapproved vault call reached the tool: " + r);
            }
        }
    }

    /** Calls that began after the outage began and ended before it ended answer as their stage's failure mode says. */
    private void failureModesHeld(List<CallLoad.Result> results, long outageFrom, long outageTo) {
        long margin = Duration.ofMillis(50).toNanos();
        List<CallLoad.Result> during = results.stream()
                .filter(r -> r.started() > outageFrom + margin && r.ended() < outageTo).toList();
        Map<String, List<CallLoad.Result>> byKind = during.stream().collect(Collectors.groupingBy(CallLoad.Result::kind));
        for (String kind : List.of("lookup", "refund", "journal", "vault")) {
            assertFalse(byKind.getOrDefault(kind, List.of()).isEmpty(), "no " + kind + " call fell in the outage");
        }
        for (CallLoad.Result r : during) {
            switch (r.kind()) {
                case "refund" -> assertEquals("503 limits_unavailable", r.status() + " " + r.reason(), r.body());
                case "journal", "vault" -> assertEquals("500 gateway_error", r.status() + " " + r.reason(), r.body());
                case "lookup" -> {
                    assertEquals(200, r.status(), r.body());
                    List<JsonNode> records = AuditRecords.await(RedisOutageResource.auditFile(), r.decisionId(), 3);
                    assertEquals("fail_open", records.get(0).path("type").asText(), records.toString());
                    assertTrue(records.get(0).path("detail").asText().startsWith("limits: rate unchecked"),
                            records.toString());
                }
                default -> throw new AssertionError(r.kind());
            }
        }
    }

    /** Every lookup whose rate limit went unchecked has its fail_open record, and the metric counted each. */
    private static long failedOpen(List<CallLoad.Result> results) {
        return results.stream().filter(r -> r.kind().equals("lookup") && r.status() == 200)
                .filter(r -> AuditRecords.of(RedisOutageResource.auditFile(), r.decisionId()).stream()
                        .anyMatch(record -> record.path("type").asText().equals("fail_open")))
                .count();
    }

    private static void noReservationLeft() {
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> budget().getLong("reserved_usd_micros") == 0);
    }

    @Test
    void aPausedRedisKeepsEveryFailureModeAndLeavesNoReservation() throws Exception {
        // given an approval signed off before the outage, and the ledger as it stands
        Response asked = given().header("Authorization", AGENT).get("/tools/vault/charges/ch_approved");
        asked.then().statusCode(403);
        String approval = asked.jsonPath().getString("approval_id");
        given().header("Authorization", APPROVER).contentType("application/json")
                .body("{\"payload_sha256\":\"" + asked.jsonPath().getString("payload_sha256") + "\"}")
                .post("/v1/approvals/" + approval + "/approve").then().statusCode(200);
        long spentBefore = budget().getLong("spent_usd_micros");
        double failOpensBefore = failOpens();

        // when Redis stops answering under load from 8 threads
        CallLoad load = CallLoad.start(8, calls());
        Thread.sleep(500);
        long pausedAt = System.nanoTime();
        RedisOutageResource.redis().pause();
        Thread.sleep(PAUSE.toMillis() / 2);
        // the approved call comes back during the outage, with its idempotency key
        Response redeemed = given().header("Authorization", AGENT).header("Toolgate-Approval", approval)
                .get("/tools/vault/charges/ch_approved");
        Response keyed = given().header("Authorization", AGENT).header("Idempotency-Key", "outage-key-1")
                .contentType("application/json").body("{\"n\":0}").post("/tools/journal/refunds");
        Thread.sleep(PAUSE.toMillis() / 2);
        long resumedAt = System.nanoTime();
        RedisOutageResource.redis().resume();
        Thread.sleep(1_000);
        List<CallLoad.Result> results = load.stop();

        // then every stage kept its failure mode while Redis was silent, and no call hung
        nothingHungAndNothingSlippedThrough(results);
        failureModesHeld(results, pausedAt, resumedAt);
        redeemed.then().statusCode(500);
        keyed.then().statusCode(500);
        assertFalse(received().contains(redeemed.header("Toolgate-Decision-Id")));
        assertFalse(received().contains(keyed.header("Toolgate-Decision-Id")));
        // every fail-open was audited, and counted once
        long failedOpen = failedOpen(results);
        assertTrue(failedOpen > 0);
        assertEquals(failOpensBefore + failedOpen, failOpens());

        // and once Redis answers again, what it ran late is cleared: no reservation is left, and the ledger holds
        // exactly what reached the tool (every settle found its reservation: the pause was shorter than a lease)
        noReservationLeft();
        assertEquals(spentBefore + refundedAmount(results, r -> true), budget().getLong("spent_usd_micros"));
        // the approval is redeemed at most once: the redemption Redis ran late may have spent it ("used")
        Response again = given().header("Authorization", AGENT).header("Toolgate-Approval", approval)
                .get("/tools/vault/charges/ch_approved");
        assertTrue(again.statusCode() == 200 || "approval_invalid".equals(again.jsonPath().getString("reason")),
                again.asString());
        // the idempotency key begun late is in flight until its lease ends, then the call goes through
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() -> {
            Response retry = given().header("Authorization", AGENT).header("Idempotency-Key", "outage-key-1")
                    .contentType("application/json").body("{\"n\":0}").post("/tools/journal/refunds");
            assertTrue(retry.statusCode() == 201 || retry.statusCode() == 409, retry.asString());
            return retry.statusCode() == 201;
        });
    }

    @Test
    void aKilledRedisKeepsEveryFailureModeAndARestartWithItsDataLeavesNoReservation() throws Exception {
        // given the ledger as it stands, in a Redis that keeps every write it acknowledged
        long spentBefore = budget().getLong("spent_usd_micros");
        double failOpensBefore = failOpens();

        // when Redis is killed under load from 8 threads, and started again on the same port with its data
        CallLoad load = CallLoad.start(8, calls());
        Thread.sleep(500);
        long killedAt = System.nanoTime();
        RedisOutageResource.redis().stop();
        Thread.sleep(1_500);
        long restartedAt = System.nanoTime();
        RedisOutageResource.redis().restart();
        Thread.sleep(1_500);
        List<CallLoad.Result> results = load.stop();

        // then every stage kept its failure mode while Redis was gone, and no call hung
        nothingHungAndNothingSlippedThrough(results);
        failureModesHeld(results, killedAt, restartedAt);
        long failedOpen = failedOpen(results);
        assertTrue(failedOpen > 0);
        assertEquals(failOpensBefore + failedOpen, failOpens());
        // calls go through again without a restart of the gateway
        assertTrue(results.stream().anyMatch(r -> r.kind().equals("refund") && r.status() == 201
                && r.started() > restartedAt), "no refund went through after the restart");

        // and no reservation is left once the leases of what was in flight ran out
        noReservationLeft();
        // the data survived the kill: the ledger holds every refund settled before it; a refund the tool answered
        // while Redis was gone could not be settled, its reservation was swept at its lease's end and its spend is
        // not counted (what an outage loses, see docs/failure-modes.md)
        long spent = budget().getLong("spent_usd_micros") - spentBefore;
        long settledBefore = refundedAmount(results, r -> r.status() == 201 && r.ended() < killedAt);
        long reachedTool = refundedAmount(results, r -> true);
        assertTrue(settledBefore > 0, "no refund was settled before the kill");
        assertTrue(spent >= settledBefore && spent <= reachedTool,
                "spent " + spent + ", settled before the kill " + settledBefore + ", reached the tool " + reachedTool);
    }
}
