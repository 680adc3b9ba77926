package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.SUPPORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What the HTTP server refuses before any toolgate route (sizes over the server's limits, request targets no route
 * may read, paths no route answers) is a problem document with a reason and a decision id, audited, and reaches no
 * tool. Raw requests over a socket: a client library would not send them.
 */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class ServerRefusalTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEAD = " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + SUPPORT
            + "\r\nConnection: close\r\n";

    @BeforeEach
    void clear() {
        GatewayResource.tools().clear();
    }

    private static RawHttp.Answer send(String request) {
        return RawHttp.send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The answer is the problem of {@code reason} with {@code status}, recorded as denied, and no tool was called. */
    static JsonNode assertRefused(RawHttp.Answer answer, int status, String reason) {
        assertEquals(status, answer.status(), answer.body());
        assertTrue(answer.contentType().startsWith("application/problem+json"), answer.headers().toString());
        JsonNode problem;
        try {
            problem = JSON.readTree(answer.body());
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + answer.body(), e);
        }
        assertEquals(reason, problem.path("reason").asText(), answer.body());
        assertEquals(status, problem.path("status").asInt());
        assertEquals("urn:toolgate:reason:" + reason, problem.path("type").asText());
        assertFalse(problem.path("title").asText().isEmpty());
        assertFalse(problem.path("detail").asText().isEmpty());
        assertEquals(answer.decisionId(), problem.path("decision_id").asText());
        assertEquals(reason, AuditRecords.denied(answer.decisionId()).path("reason").asText());
        assertEquals(java.util.List.of(), GatewayResource.tools().received(), "no tool is called");
        return problem;
    }

    @Test
    void refusesABodyOverTheServersLimitBeforeReadingIt() {
        // quarkus.http.limits.max-body-size is 10240K: Quarkus alone would answer an empty 413
        RawHttp.Answer answer = send("POST /tools/payments/refunds" + HEAD
                + "Content-Type: application/json\r\nContent-Length: 20000000\r\n\r\n{\"charge\":");
        assertRefused(answer, 413, "payload_too_large");
        assertEquals("close", answer.headers().get("connection"));
    }

    @Test
    void refusesHeadersOverTheServersLimitWith431() {
        // quarkus.http.limits.max-header-size is 20K
        JsonNode problem = assertRefused(send("GET /tools/payments/charges/ch_1" + HEAD + "X-Padding: "
                + "a".repeat(30_000) + "\r\n\r\n"), 431, "request_too_large");
        assertEquals("headers", problem.path("too_large").asText());
    }

    @Test
    void refusesARequestLineOverTheServersLimitWith414() {
        // quarkus.http.limits.max-initial-line-length is 4096
        JsonNode problem = assertRefused(send("GET /tools/payments/charges/" + "c".repeat(6_000) + HEAD + "\r\n"),
                414, "request_too_large");
        assertEquals("request_line", problem.path("too_large").asText());
    }

    @Test
    void refusesMalformedPercentEscapesInThePathAndTheQuery() {
        assertRefused(send("GET /tools/payments/charges/%zz" + HEAD + "\r\n"), 400, "invalid_arguments");
        assertRefused(send("GET /tools/payments/charges/ch_1?expand=%zz" + HEAD + "\r\n"), 400, "invalid_arguments");
        assertRefused(send("GET /tools/payments/charges/ch_1%4" + HEAD + "\r\n"), 400, "invalid_arguments");
        assertRefused(send("GET /v1/approvals/%G1" + HEAD + "\r\n"), 400, "invalid_arguments");
    }

    @Test
    void refusesABackslashOrAControlCharacterInThePath() {
        JsonNode problem = assertRefused(send("GET /tools/payments/charges\\ch_1" + HEAD + "\r\n"), 400,
                "invalid_arguments");
        assertTrue(problem.path("detail").asText().contains("backslash"), problem.toString());
        assertRefused(send("GET /tools/pay\u0001ments/charges/ch_1" + HEAD + "\r\n"), 400, "invalid_arguments");
        assertRefused(send("GET /tools/pay\u00e9ments/charges/ch_1" + HEAD + "\r\n"), 400, "invalid_arguments");
    }

    @Test
    void answersARequestTargetThatIsNotAnAbsolutePathAsNotFound() {
        // the router's own answer to such a target (404), now a problem
        assertRefused(send("GET tools/payments/charges/ch_1" + HEAD + "\r\n"), 404, "not_found");
    }

    @Test
    void refusesARequestTargetThatIsNoUri() {
        JsonNode problem = assertRefused(send("GET /tools/payments/charges/{ch_1}" + HEAD + "\r\n"), 400,
                "invalid_arguments");
        assertFalse(problem.path("detail").asText().contains("{ch_1}"), "the target is not echoed");
    }

    @Test
    void refusesAHostHeaderTheRouterCannotReadAsMalformed() {
        assertRefused(send("GET /tools/payments/charges/ch_1 HTTP/1.1\r\nHost: a b\r\nAuthorization: " + SUPPORT
                + "\r\nConnection: close\r\n\r\n"), 400, "invalid_arguments");
    }

    @Test
    void answersAPathNoRouteServesWith404NotFound() {
        assertRefused(send("GET /nothing/here" + HEAD + "\r\n"), 404, "not_found");
    }

    @Test
    void answersAMethodTheRouteDoesNotTakeWith405() {
        RawHttp.Answer answer = send("GET /v1/check" + HEAD + "\r\n");
        assertRefused(answer, 405, "method_not_allowed");
        assertEquals("POST", answer.headers().get("allow"));
    }

    @Test
    void aRequestTheDecoderCannotParseIsStillRefusedAndClosedThoughNotAsAProblem() {
        // the one gap (ADR 0008): Netty fails it before any handler Quarkus lets toolgate install
        RawHttp.Answer answer = send("GET /tools/payments/charges/ch_1 HTTP/9.x\r\nHost: localhost\r\n\r\n");
        assertEquals(400, answer.status());
        assertEquals(java.util.List.of(), GatewayResource.tools().received());
        // past four times the configured header limit the decoder answers, bare
        RawHttp.Answer huge = send("GET /tools/payments/charges/ch_1" + HEAD + "X-Padding: " + "a".repeat(90_000)
                + "\r\n\r\n");
        assertEquals(431, huge.status());
    }

    @Test
    void answersAChunkedBodyWithBrokenFramingWithAProblemOrClosesTheConnection() {
        // a chunk size that is not hex: Netty cannot read the body; the request is failed, never forwarded
        String request = "POST /tools/payments/refunds" + HEAD
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";
        try {
            RawHttp.Answer answer = send(request);
            assertEquals(400, answer.status(), answer.body());
        } catch (IllegalStateException closed) {
            // the connection was closed without an answer: acceptable for a stream that cannot be read
        }
        assertEquals(java.util.List.of(), GatewayResource.tools().received());
    }
}
