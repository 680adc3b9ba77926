package dev.toolgate.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.toolgate.testing.AuditDiskFullResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The running gateway with its audit log on a full disk ({@code /dev/full}): no call can be recorded, so none goes
 * ahead. Every call, allowed or not, single or concurrent, through the tools or the check API, is refused 500
 * {@code gateway_error}, and the tool never hears of it.
 */
@QuarkusTest
@WithTestResource(AuditDiskFullResource.class)
class AuditDiskFullGatewayTest {

    private static final String SUPPORT = "Bearer demo-support-key";
    private static final String REFUND = "{\"charge\":\"ch_1\",\"amount_usd_micros\":1000,\"tenant\":\"acme\"}";

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @BeforeAll
    static void needsDevFull() {
        assertTrue(Files.isWritable(Path.of(AuditDiskFullResource.FULL)),
                "these tests need Linux's /dev/full (every write fails there)");
    }

    private static Response refund() {
        return given().header("Authorization", SUPPORT).contentType("application/json").body(REFUND)
                .post("/tools/payments/refunds");
    }

    private static void refusedUnrecorded(Response response) {
        response.then().statusCode(500).contentType("application/problem+json")
                .body("reason", equalTo("gateway_error"))
                .body("detail", containsString("could not record the call"));
        String id = response.header("Toolgate-Decision-Id");
        assertTrue(AuditDiskFullResource.tools().received().stream()
                .noneMatch(r -> id.equals(r.headers().get("toolgate-decision-id"))), "the tool received call " + id);
    }

    @Test
    void anAllowedCallIsRefusedAndNeverForwarded() {
        // given a call every stage allows
        int before = AuditDiskFullResource.tools().received().size();

        // when its intent cannot be made durable
        Response response = refund();

        // then it is refused as the gateway's own failure, and the tool saw nothing
        refusedUnrecorded(response);
        assertEquals(before, AuditDiskFullResource.tools().received().size());
    }

    @Test
    void aDenialThatCannotBeRecordedIsAGatewayError() {
        // given a call the contract denies (support-bot has no grant of deploy), and a dry run
        Response denied = given().header("Authorization", SUPPORT).contentType("application/json")
                .body("{\"service\":\"api\",\"environment\":\"dev\"}").post("/tools/deploy/deployments");
        Response dryRun = given().header("Authorization", SUPPORT).header("Toolgate-Mode", "dry-run")
                .contentType("application/json").body(REFUND).post("/tools/payments/refunds");

        // then neither answers as if it had been recorded
        refusedUnrecorded(denied);
        refusedUnrecorded(dryRun);
    }

    @Test
    void aCheckIsRefusedAndHoldsNothing() {
        // when an orchestrator asks to perform an allowed call itself
        Response check = given().header("Authorization", SUPPORT).contentType("application/json")
                .body("{\"tool\":\"payments\",\"method\":\"POST\",\"path\":\"/refunds\",\"body\":" + REFUND + "}")
                .post("/v1/check");

        // then it is not allowed: its intent could not be recorded
        check.then().statusCode(500).body("reason", equalTo("gateway_error"));
    }

    @Test
    void concurrentCallsAreAllRefusedAndNoneForwarded() throws Exception {
        // given many allowed calls at once (their records fail together in group commits)
        int before = AuditDiskFullResource.tools().received().size();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Response>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 32; i++) {
                calls.add(threads.submit(AuditDiskFullGatewayTest::refund));
            }

            // then every one is refused, and the tool received none
            for (Future<Response> call : calls) {
                refusedUnrecorded(call.get(30, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(before, AuditDiskFullResource.tools().received().size());
        String text = given().get(metrics.toString()).then().statusCode(200).extract().asString();
        // counted as the calls they were when they failed, before a stage named their tool
        assertTrue(text.lines().anyMatch(l -> l.startsWith("toolgate_calls_total{") && l.contains("outcome=\"error\"")
                && l.contains("protocol=\"http\"") && l.contains("reason=\"gateway_error\"")), text);
    }
}
