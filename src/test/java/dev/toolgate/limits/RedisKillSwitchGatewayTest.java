package dev.toolgate.limits;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.toolgate.store.RedisConnection;
import dev.toolgate.testing.LimitsResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;

/**
 * Runtime kill switches are the incident tool, so they hold during an incident: every instance keeps the engaged ones
 * in memory, learns a change made elsewhere by Pub/Sub within a second (or by its periodic full read), and keeps
 * stopping calls while Redis is down; changing one while Redis is down is refused.
 */
@QuarkusTest
@WithTestResource(value = LimitsResource.class, initArgs = @ResourceArg(name = "store", value = "redis"))
class RedisKillSwitchGatewayTest {

    private static final String REPORTS = LimitsGatewayTest.REPORTS;

    @io.quarkus.test.common.http.TestHTTPResource(value = "/metrics", management = true)
    java.net.URL metrics;
    private static final String ADMIN = LimitsGatewayTest.ADMIN;

    private static Response export(String run) {
        return given().header("Authorization", REPORTS).header("Toolgate-Run-Id", run).get("/tools/reports/exports/ch_3");
    }

    /** The call reached the tool (which may answer anything). */
    private static boolean passes(String run) {
        return LimitsGatewayTest.reachedTool(export(run));
    }

    private static void engage(String path, String reason) {
        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"reason\":\"" + reason + "\"}").put("/admin/kill-switches/" + path).then().statusCode(200);
    }

    @Test
    void anEngagedSwitchKeepsStoppingCallsWhileRedisIsDown() {
        String run = LimitsGatewayTest.run();
        engage("tool/reports", "exports leak data");
        try {
            LimitsResource.redis().stop();
            try {
                Response killed = export(run);
                killed.then().statusCode(403).body("reason", equalTo("kill_switch"))
                        .body("detail", containsString("exports leak data"));
                assertFalse(LimitsGatewayTest.reachedTool(killed), "the tool saw nothing");
                assertEquals("kill_switch", LimitsGatewayTest.audit(killed, 1).get(0).path("reason").asText());

                // a call no switch stops goes on under its tool's failure modes (deploy: spend open)
                LimitsGatewayTest.post(LimitsGatewayTest.RELEASE, run, "/tools/deploy/deployments",
                        "{\"service\":\"api\",\"environment\":\"dev\"}").then().statusCode(202);

                // a switch is either in the store, where every instance learns it, or nowhere
                given().header("Authorization", ADMIN).delete("/admin/kill-switches/tool/reports").then()
                        .statusCode(503).contentType("application/problem+json")
                        .body("reason", equalTo("limits_unavailable"))
                        .body("detail", containsString("not cleared"));
                given().header("Authorization", ADMIN).contentType("application/json").body("{\"reason\":\"x\"}")
                        .put("/admin/kill-switches/agent/support-bot").then().statusCode(503)
                        .body("reason", equalTo("limits_unavailable")).body("detail", containsString("not engaged"));
                export(run).then().statusCode(403).body("reason", equalTo("kill_switch"));
            } finally {
                LimitsResource.redis().restart();
            }
            // the restarted Redis is empty: the next full read finds no switch, and calls flow again
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> passes(run));
        } finally {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> given().header("Authorization", ADMIN)
                    .delete("/admin/kill-switches/tool/reports").statusCode() == 200);
        }
    }

    @Test
    void aSwitchEngagedOnAnotherInstanceIsLearntHereWithinASecond() throws Exception {
        String run = LimitsGatewayTest.run();
        assertTrue(passes(run));
        assertEquals(0, engagedHere());
        Vertx vertx = Vertx.vertx();
        try (RedisConnection connection = new RedisConnection(vertx, LimitsResource.redis().url(),
                Duration.ofSeconds(5))) {
            RedisLimitsStore otherInstance = new RedisLimitsStore(connection);

            // when
            Calls.await(otherInstance.kill("acme", "agent:report-bot", Optional.of("compromised")));
            long engaged = System.nanoTime();
            try {
                // then: learnt by Pub/Sub (the full read comes only every 3 s), so it holds without Redis
                Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                        .until(() -> engagedHere() == 1);
                Duration took = Duration.ofNanos(System.nanoTime() - engaged);
                assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, "learnt after " + took);
                LimitsResource.redis().stop();
                try {
                    Response killed = export(run);
                    killed.then().statusCode(403).body("reason", equalTo("kill_switch"))
                            .body("detail", containsString("compromised"));
                    assertFalse(LimitsGatewayTest.reachedTool(killed));
                } finally {
                    LimitsResource.redis().restart();
                }
            } finally {
                // whatever happened, the next tests find no switch (a restarted Redis is empty already)
                Calls.await(otherInstance.kill("acme", "agent:report-bot", Optional.empty()));
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        // the restarted Redis is empty: the next full read finds no switch
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engagedHere() == 0);
        assertTrue(passes(run));
    }

    @Test
    void aSwitchWrittenWithoutANotificationIsFoundByTheFullRead() {
        String run = LimitsGatewayTest.run();
        assertEquals(0, engagedHere());
        // a change whose notification was lost: the hash alone, no PUBLISH
        LimitsResource.redis().command("HSET", Keys.kill("acme"), "workflow:reporting", "found by the full read");
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engagedHere() == 1);
            LimitsResource.redis().stop();
            try {
                export(run).then().statusCode(403).body("reason", equalTo("kill_switch"))
                        .body("detail", containsString("found by the full read"));
            } finally {
                LimitsResource.redis().restart();
            }
        } finally {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> given().header("Authorization", ADMIN)
                    .delete("/admin/kill-switches/workflow/reporting").statusCode() == 200);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engagedHere() == 0);
        assertTrue(passes(run));
    }

    /** The switches this instance holds in memory, from its metrics. */
    private int engagedHere() {
        String metrics = given().get(this.metrics.toString()).then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("toolgate_kill_switches_engaged "))
                .mapToInt(l -> (int) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no toolgate_kill_switches_engaged in " + metrics));
    }
}
