package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.SUPPORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.BadBodies;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every API that reads a client's JSON reads it the same strict way (tool calls, check, report, approvals): a duplicate
 * member, content after the value, an overlong UTF-8 sequence, a UTF-16 body and a media type that is not JSON in
 * UTF-8 are refused with a problem document that names the problem, and a refused call reaches no tool.
 */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class StrictBodiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APPROVER = "Bearer approver-1-key";

    @BeforeEach
    void clear() {
        GatewayResource.tools().clear();
    }

    /** The problem of {@code bad}, which carries a decision id and does not echo the body. */
    private static JsonNode assertProblem(RawHttp.Answer answer, BadBodies.BadBody bad) {
        assertEquals(bad.status(), answer.status(), bad + ": " + answer.body());
        assertTrue(answer.contentType().startsWith("application/problem+json"), bad + ": " + answer.headers());
        JsonNode problem;
        try {
            problem = JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new AssertionError(bad + ": not JSON: " + answer.body(), e);
        }
        assertEquals(bad.reason(), problem.path("reason").asText(), bad + ": " + answer.body());
        assertEquals(answer.decisionId(), problem.path("decision_id").asText(), bad.toString());
        assertFalse(problem.path("detail").asText().contains("ch_1"), bad + " echoes the body: " + answer.body());
        return problem;
    }

    @Test
    void toolCallsRefuseEveryBadBodyBeforeAnyToolIsCalled() {
        for (BadBodies.BadBody bad : BadBodies.of(Calls.refund(5, "acme"))) {
            RawHttp.Answer answer = RawHttp.post("/tools/payments/refunds", SUPPORT, bad.contentType(), bad.bytes());
            assertProblem(answer, bad);
            assertEquals(bad.reason(), AuditRecords.denied(answer.decisionId()).path("reason").asText(), bad.toString());
        }
        assertEquals(List.of(), GatewayResource.tools().received());
    }

    @Test
    void toolCallsNameTheProblem() {
        List<BadBodies.BadBody> bad = BadBodies.of(Calls.refund(5, "acme"));
        String duplicate = assertProblem(RawHttp.post("/tools/payments/refunds", SUPPORT, "application/json",
                bad.get(0).bytes()), bad.get(0)).path("detail").asText();
        assertEquals("duplicate member \"x\" in the body", duplicate);
        String overlong = assertProblem(RawHttp.post("/tools/payments/refunds", SUPPORT, "application/json",
                bad.get(2).bytes()), bad.get(2)).path("detail").asText();
        assertEquals("the body is not valid UTF-8 (at byte offset 7)", overlong);
        String utf16 = assertProblem(RawHttp.post("/tools/payments/refunds", SUPPORT, "application/json",
                bad.get(3).bytes()), bad.get(3)).path("detail").asText();
        assertTrue(utf16.contains("UTF-16 or UTF-32"), utf16);
    }

    @Test
    void theCheckApiRefusesEveryBadBody() {
        String check = "{\"tool\":\"payments\",\"method\":\"POST\",\"path\":\"/refunds\",\"body\":" + Calls.refund(5, "acme")
                + "}";
        for (BadBodies.BadBody bad : BadBodies.of(check)) {
            RawHttp.Answer answer = RawHttp.post("/v1/check", SUPPORT, bad.contentType(), bad.bytes());
            assertProblem(answer, bad);
            JsonNode record = AuditRecords.denied(answer.decisionId());
            assertEquals(bad.reason(), record.path("reason").asText(), bad.toString());
            assertEquals("check", record.path("protocol").asText());
        }
    }

    @Test
    void theCheckApiRefusesADuplicateMemberInsideTheDescribedBody() {
        byte[] check = ("{\"tool\":\"payments\",\"method\":\"POST\",\"path\":\"/refunds\",\"body\":{\"charge\":\"ch_1\","
                + "\"charge\":\"ch_2\"}}").getBytes(StandardCharsets.UTF_8);
        RawHttp.Answer answer = RawHttp.post("/v1/check", SUPPORT, "application/json", check);
        assertEquals(400, answer.status(), answer.body());
        assertTrue(answer.body().contains("duplicate member \\\"charge\\\" in the check body at /body"), answer.body());
    }

    @Test
    void theReportApiRefusesEveryBadBody() {
        for (BadBodies.BadBody bad : BadBodies.of("{\"decision_id\":\"ch_1-unknown\",\"cost_usd_micros\":5}")) {
            assertProblem(RawHttp.post("/v1/report", SUPPORT, bad.contentType(), bad.bytes()), bad);
        }
    }

    @Test
    void theApprovalApiRefusesEveryBadBody() {
        for (BadBodies.BadBody bad : BadBodies.of("{\"payload_sha256\":\"ch_1\"}")) {
            assertProblem(RawHttp.post("/v1/approvals/no-such-approval/approve", APPROVER, bad.contentType(),
                    bad.bytes()), bad);
            assertProblem(RawHttp.post("/v1/approvals/no-such-approval/reject", APPROVER, bad.contentType(),
                    bad.bytes()), bad);
        }
    }

    @Test
    void theApprovalApiStillTakesAnEmptyBody() {
        RawHttp.Answer answer = RawHttp.post("/v1/approvals/no-such-approval/approve", APPROVER, null, new byte[0]);
        assertEquals(403, answer.status(), answer.body());
        assertTrue(answer.body().contains("\"cause\":\"not_found\""), answer.body());
    }
}
