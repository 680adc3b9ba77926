package dev.toolgate.forward;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.UpstreamFaultsResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Upstreams that hang, trickle, reset or refuse, against the running gateway: each call ends within its tool's time
 * limit (1 s here) as {@code upstream_timeout} or {@code upstream_unavailable}, never hangs, and is audited with
 * whether the request left.
 */
@QuarkusTest
@WithTestResource(UpstreamFaultsResource.class)
class UpstreamFaultsTest {

    static final String AGENT = "Bearer fault-key";
    /** The tools' request timeout in faults.yaml. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    /** Room for a busy machine; a call that hung would take the trickle's 10 s or the client's own timeout. */
    private static final Duration SLACK = Duration.ofMillis(1_500);

    static Response call(String tool) {
        return given().header("Authorization", AGENT).get("/tools/" + tool + "/items/i-1");
    }

    private static Response timed(String tool, Duration within) {
        long start = System.nanoTime();
        Response response = call(tool);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(within) < 0, tool + " took " + took + ", more than " + within);
        return response;
    }

    private static JsonNode outcome(Response response) {
        List<JsonNode> records = AuditRecords.await(UpstreamFaultsResource.auditFile(),
                response.header("Toolgate-Decision-Id"), 2);
        assertEquals("intent", records.get(0).path("type").asText(), records.toString());
        assertEquals("outcome", records.get(1).path("type").asText(), records.toString());
        return records.get(1);
    }

    @Test
    void anUpstreamThatNeverAnswersIsATimeoutWithinTheToolsTimeout() {
        // given an upstream that reads the request and never answers
        int before = UpstreamFaultsResource.upstreams().arrived("hang");

        // when
        Response response = timed("hangs", REQUEST_TIMEOUT.plus(SLACK));

        // then: 504 after about the tool's timeout, and the request did reach the tool (it may have acted)
        response.then().statusCode(504).contentType("application/problem+json")
                .body("reason", equalTo("upstream_timeout"))
                .body("detail", containsString("within 1000 ms"));
        assertEquals(before + 1, UpstreamFaultsResource.upstreams().arrived("hang"));
        JsonNode outcome = outcome(response);
        assertEquals("failed", outcome.path("status").asText());
        assertEquals("upstream_timeout", outcome.path("reason").asText());
    }

    @Test
    void aBodyTrickledSlowerThanTheTimeoutIsATimeoutNotAHang() {
        // given an upstream that answers 200 at once and then sends a byte every 200 ms for 10 s

        // when
        Response response = timed("trickles", REQUEST_TIMEOUT.plus(SLACK));

        // then: the time limit covers the whole answer, not only its head
        response.then().statusCode(504).body("reason", equalTo("upstream_timeout"));
        assertEquals("upstream_timeout", outcome(response).path("reason").asText());
    }

    @Test
    void aResetConnectionIsUnavailableAndMayHaveBeenSent() {
        // given an upstream that reads the request and answers with a TCP reset
        int before = UpstreamFaultsResource.upstreams().arrived("reset");

        // when
        Response response = timed("resets", REQUEST_TIMEOUT.plus(SLACK));

        // then: the request left, so the tool may have acted: failed, not "not sent"
        response.then().statusCode(502).body("reason", equalTo("upstream_unavailable"))
                .body("detail", containsString("failed to answer"));
        assertTrue(UpstreamFaultsResource.upstreams().arrived("reset") > before);
        JsonNode outcome = outcome(response);
        assertEquals("failed", outcome.path("status").asText());
        assertEquals("upstream_unavailable", outcome.path("reason").asText());
    }

    @Test
    void aRefusedConnectionIsUnavailableAndNeverSent() {
        // given an upstream port nothing listens on

        // when
        Response response = timed("refused", REQUEST_TIMEOUT.plus(SLACK));

        // then
        response.then().statusCode(502).body("reason", equalTo("upstream_unavailable"))
                .body("detail", containsString("could not be reached"));
        assertEquals("not_sent", outcome(response).path("status").asText());
    }
}
