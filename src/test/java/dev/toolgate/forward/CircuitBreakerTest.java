package dev.toolgate.forward;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.FaultyUpstreams;
import dev.toolgate.testing.FaultyUpstreams.Mode;
import dev.toolgate.testing.UpstreamFaultsResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * The circuit breaker of each upstream tool, against a real upstream that fails and recovers on cue: it opens after
 * enough faults, refuses without contacting the tool (and releases what the call reserved), says so in a metric and in
 * the refusal, lets a trial call through after its delay, and closes once one succeeds. The agent's own 4xx never
 * count.
 */
@QuarkusTest
@WithTestResource(UpstreamFaultsResource.class)
class CircuitBreakerTest {

    private static final String ADMIN = "Bearer fault-admin-key";
    private static final Duration DELAY = Duration.ofMillis(UpstreamFaultsResource.DELAY_MILLIS);

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    private static FaultyUpstreams upstreams() {
        return UpstreamFaultsResource.upstreams();
    }

    private static Response call(String tool) {
        return UpstreamFaultsTest.call(tool);
    }

    /** The value of the circuit gauge of a tool in a state, or -1 when there is none. */
    private double circuit(String tool, String state) {
        String text = given().get(metrics.toString()).then().statusCode(200).extract().asString();
        for (String line : text.split("\n")) {
            if (line.startsWith("toolgate_upstream_circuit{") && line.contains("tool=\"" + tool + "\"")
                    && line.contains("state=\"" + state + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private void awaitCircuit(String tool, String state) {
        Awaitility.await().atMost(DELAY.plusSeconds(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> circuit(tool, state) == 1.0);
    }

    private static JsonPath flakyBudget() {
        return given().header("Authorization", ADMIN).get("/admin/budgets/flaky-per-month").then().statusCode(200)
                .extract().jsonPath();
    }

    /** Fails a whole window of calls of a tool, each answered with this status; answers how many calls were made. */
    private static int failUntilOpen(String tool, int expectedStatus) {
        for (int i = 1; i <= UpstreamFaultsResource.REQUEST_VOLUME; i++) {
            call(tool).then().statusCode(expectedStatus);
        }
        return UpstreamFaultsResource.REQUEST_VOLUME;
    }

    @Test
    void opensOnServerErrorsRefusesWithoutSendingAndClosesAfterASuccessfulTrial() {
        // given a tool that answers every call with 503
        upstreams().flaky(Mode.SERVER_ERROR);
        int arrivedBefore = upstreams().arrived("flaky");
        long spentBefore = flakyBudget().getLong("spent_usd_micros");

        // when it fails a whole window of calls (its own 503s are passed on to the agent)
        int sent = failUntilOpen("flaky", 503);

        // then the breaker is open: the next call is refused before anything is sent
        assertEquals(arrivedBefore + sent, upstreams().arrived("flaky"));
        assertEquals(1.0, circuit("flaky", "open"));
        assertEquals(0.0, circuit("flaky", "closed"));
        Response refused = call("flaky");
        refused.then().statusCode(502).contentType("application/problem+json")
                .body("reason", equalTo("upstream_unavailable"))
                .body("circuit", equalTo("open"))
                .body("detail", containsString("circuit breaker is open, so the call was not sent"))
                .body("detail", containsString("tries the tool again at"));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= DELAY.toSeconds(), "Retry-After " + retryAfter);
        assertEquals(arrivedBefore + sent, upstreams().arrived("flaky"), "the refused call reached the tool");
        List<JsonNode> records = AuditRecords.await(UpstreamFaultsResource.auditFile(),
                refused.header("Toolgate-Decision-Id"), 2);
        assertEquals("not_sent", records.get(1).path("status").asText());
        assertEquals("upstream_unavailable", records.get(1).path("reason").asText());
        // the forwarded calls were settled at their estimate; the refused one was released, not charged
        JsonPath budget = flakyBudget();
        assertEquals(spentBefore + sent * 1_000L, budget.getLong("spent_usd_micros"));
        assertEquals(0L, budget.getLong("reserved_usd_micros"));
        String text = given().get(metrics.toString()).then().extract().asString();
        assertTrue(text.contains("toolgate_upstream_circuit_refused_total{tool=\"flaky\"}"), text);

        // when the delay has passed and the tool fails its trial call (the connection closes unanswered)
        awaitCircuit("flaky", "half_open");
        upstreams().flaky(Mode.CLOSE);
        call("flaky").then().statusCode(502).body("reason", equalTo("upstream_unavailable"));

        // then the breaker opens again at once, and refuses without contacting the tool
        assertEquals(1.0, circuit("flaky", "open"));
        int arrived = upstreams().arrived("flaky");
        call("flaky").then().statusCode(502).body("circuit", equalTo("open"));
        assertEquals(arrived, upstreams().arrived("flaky"));

        // when the tool has recovered by the next trial
        upstreams().flaky(Mode.OK);
        awaitCircuit("flaky", "half_open");
        call("flaky").then().statusCode(200).body("ok", equalTo(true));

        // then the breaker is closed and calls reach the tool again
        assertEquals(1.0, circuit("flaky", "closed"));
        assertEquals(0.0, circuit("flaky", "open"));
        call("flaky").then().statusCode(200);
        assertEquals(arrived + 2, upstreams().arrived("flaky"));
    }

    @Test
    void timeoutsAndResetsOpenTheBreakerToo() {
        // upstreams that hang and that reset the connection, each tool with a breaker of its own
        opensAfterAWindowOfFaults("stalls", "hang", 504);
        opensAfterAWindowOfFaults("drops", "reset", 502);
    }

    private void opensAfterAWindowOfFaults(String tool, String upstream, int status) {
        // when the tool fails a whole window
        failUntilOpen(tool, status);
        int arrived = upstreams().arrived(upstream);

        // then its next call is refused without a connection (checked before the delay lets a trial through)
        call(tool).then().statusCode(502).body("circuit", equalTo("open"));
        assertEquals(arrived, upstreams().arrived(upstream));
        assertEquals(1.0, circuit(tool, "open"));
    }

    @Test
    void theAgentsOwnMistakesNeverOpenTheBreaker() {
        // given a tool that answers 404 to everything: the agent asked for something that is not there
        upstreams().flaky(Mode.NOT_FOUND);

        // when far more than a window of calls fail that way
        for (int i = 0; i < 3 * UpstreamFaultsResource.REQUEST_VOLUME; i++) {
            call("picky").then().statusCode(404);
        }

        // then the breaker stays closed: every call was sent
        assertEquals(1.0, circuit("picky", "closed"));
        upstreams().flaky(Mode.OK);
        call("picky").then().statusCode(200);
    }
}
