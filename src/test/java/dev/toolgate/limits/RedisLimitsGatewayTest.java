package dev.toolgate.limits;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.testing.LimitsResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** The limits behaviour on a real redis-server, plus what only Redis can do: go away and come back. */
@QuarkusTest
@WithTestResource(value = LimitsResource.class, initArgs = @ResourceArg(name = "store", value = "redis"))
class RedisLimitsGatewayTest extends LimitsGatewayTest {

    /** Metrics are served on the management interface, not the agents' port. */
    @io.quarkus.test.common.http.TestHTTPResource(value = "/metrics", management = true)
    java.net.URL metrics;

    @Test
    void failsClosedOnSpendAndOpenOnRateWhileRedisIsDownAndRecoversWithoutRestart() {
        String run = run();
        LimitsResource.redis().stop();
        try {
            // spend caps fail closed (payments: spend closed)
            Response refund = refund(run, 1_000);
            refund.then().statusCode(503).body("reason", equalTo("limits_unavailable"));
            assertEquals("limits_unavailable", audit(refund, 1).get(0).path("reason").asText());

            // deploy says spend: open: the call goes ahead, counted and audited
            Response deployed = post(RELEASE, run, "/tools/deploy/deployments",
                    "{\"service\":\"api\",\"environment\":\"dev\"}");
            deployed.then().statusCode(202);
            List<JsonNode> records = audit(deployed, 3);
            assertEquals("fail_open", records.get(0).path("type").asText());
            assertTrue(records.get(0).path("detail").asText().startsWith("limits: spend unchecked"),
                    records.get(0).path("detail").asText());
            // deploy says rate: closed: a rate-limited deploy action is refused while its limit cannot be checked
            Response rollback = post(RELEASE, run, "/tools/deploy/rollbacks", "{\"service\":\"api\"}");
            rollback.then().statusCode(503).body("reason", equalTo("limits_unavailable"));

            // rate limits fail open onto this instance's own limiter: the burst of 3, then 429
            for (int i = 0; i < 3; i++) {
                given().header("Authorization", SUPPORT).get("/tools/payments/charges/ch_2").then()
                        .statusCode(200);
            }
            given().header("Authorization", SUPPORT).get("/tools/payments/charges/ch_2").then()
                    .statusCode(429).body("reason", equalTo("rate_limited"));
            String metrics = given().get(this.metrics.toString()).then().extract().asString();
            assertTrue(metrics.contains("toolgate_limits_fail_open_total{tool=\"payments\",what=\"rate\"}"), metrics);
            assertTrue(metrics.contains("toolgate_limits_fail_open_total{tool=\"deploy\",what=\"spend\"}"), metrics);
        } finally {
            LimitsResource.redis().restart();
        }
        // Redis is back: picked up without a restart
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> refund(run, 1_000).statusCode() == 201);
    }
}
