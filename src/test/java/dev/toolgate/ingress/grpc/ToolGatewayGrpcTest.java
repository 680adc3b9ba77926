package dev.toolgate.ingress.grpc;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;

import dev.toolgate.grpc.v1.CheckRequest;
import dev.toolgate.grpc.v1.CheckResponse;
import dev.toolgate.grpc.v1.QueryValues;
import dev.toolgate.grpc.v1.Refusal;
import dev.toolgate.grpc.v1.ReportRequest;
import dev.toolgate.grpc.v1.ReportResponse;
import dev.toolgate.grpc.v1.ToolGatewayGrpc;
import dev.toolgate.grpc.v1.Verdict;
import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * {@code toolgate.v1.ToolGateway} over a real gRPC connection: the same decisions as {@code POST /v1/check} and
 * {@code /v1/report} for the same inputs, refusals as statuses whose details carry toolgate's reason, and the calls in
 * the audit log.
 */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class ToolGatewayGrpcTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUPPORT = "Bearer demo-support-key";

    @GrpcClient("toolgate")
    Channel channel;

    /** One check, as both ingresses take it. */
    record Case(String name, String credential, Map<String, String> options, String tool, String method, String path,
            String body) {
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("allowed lookup", SUPPORT, Map.of(), "payments", "GET", "/charges/ch_grpc1", ""));
        cases.add(new Case("allowed refund", SUPPORT, Map.of("toolgate-run-id", "run-grpc-parity"), "payments",
                "POST", "/refunds", "{\"charge\":\"ch_1\",\"amount_usd_micros\":5,\"tenant\":\"acme\"}"));
        cases.add(new Case("tool not granted", SUPPORT, Map.of(), "deploy", "POST", "/deployments",
                "{\"service\":\"api\",\"environment\":\"dev\"}"));
        cases.add(new Case("policy denies another tenant", SUPPORT, Map.of(), "payments", "POST", "/refunds",
                "{\"charge\":\"ch_1\",\"amount_usd_micros\":5,\"tenant\":\"globex\"}"));
        cases.add(new Case("policy denies prod outside the window", "Bearer demo-deploy-key", Map.of(), "deploy",
                "POST", "/deployments", "{\"service\":\"api\",\"environment\":\"prod\"}"));
        cases.add(new Case("approval required", "Bearer self-approver-key", Map.of(), "payments", "POST", "/refunds",
                "{\"charge\":\"ch_1\",\"amount_usd_micros\":60000000,\"tenant\":\"acme\"}"));
        cases.add(new Case("arguments outside the schema", SUPPORT, Map.of(), "payments", "POST", "/refunds",
                "{\"charge\":\"ch_1\",\"amount_usd_micros\":\"5\",\"tenant\":\"acme\"}"));
        cases.add(new Case("kill switch", "Bearer globex-deploy-key", Map.of(), "deploy", "POST", "/deployments",
                "{\"service\":\"api\",\"environment\":\"dev\"}"));
        cases.add(new Case("unknown key", "Bearer nope", Map.of(), "payments", "GET", "/charges/ch_1", ""));
        cases.add(new Case("no credential", null, Map.of(), "payments", "GET", "/charges/ch_1", ""));
        cases.add(new Case("bad run id", SUPPORT, Map.of("toolgate-run-id", "run with spaces"), "payments", "GET",
                "/charges/ch_1", ""));
        cases.add(new Case("bad mode", SUPPORT, Map.of("toolgate-mode", "pretend"), "payments", "GET",
                "/charges/ch_1", ""));
        cases.add(new Case("relative path", SUPPORT, Map.of(), "payments", "GET", "charges/ch_1", ""));
        cases.add(new Case("degraded to its fallback", "Bearer export-key", Map.of(), "exports", "POST",
                "/exports/fetch", "{\"id\":\"ch_9\"}"));
        cases.add(new Case("dry run allowed", SUPPORT, Map.of("toolgate-mode", "dry-run"), "payments", "GET",
                "/charges/ch_dry", ""));
        cases.add(new Case("dry run denied", SUPPORT, Map.of("toolgate-mode", "dry-run"), "payments", "POST",
                "/refunds", "{\"charge\":\"ch_1\",\"amount_usd_micros\":5,\"tenant\":\"globex\"}"));
        return cases;
    }

    @Test
    void decidesEveryCaseAsTheHttpCheckApiDoes() throws Exception {
        for (Case c : cases()) {
            // given the same described call over both ingresses
            Response http = http(c);
            JsonNode httpBody = JSON.readTree(http.asString());
            Answer grpc = grpc(c);

            // then the same decision, reason and resolved call
            if (http.statusCode() == 200) {
                assertTrue(grpc.refusal == null, c.name + ": gRPC refused " + grpc.refusal);
                CheckResponse r = grpc.response;
                boolean dryRun = httpBody.path("mode").asText().equals("dry-run");
                assertEquals(httpBody.path("decision").asText(), r.getDecision() == Verdict.ALLOW ? "allow" : "deny",
                        c.name);
                assertEquals(httpBody.path("tool").asText(), r.getTool(), c.name);
                assertEquals(httpBody.path("action").asText(""), r.getAction(), c.name);
                assertEquals(httpBody.path("args_sha256").asText(""), r.getArgsSha256(), c.name);
                if (dryRun) {
                    assertEquals(httpBody.path("would_forward").asBoolean(), r.getDryRun().getWouldForward(), c.name);
                    assertEquals(httpBody.path("denial").path("reason").asText(""),
                            r.getDryRun().getRefusal().getReason(), c.name);
                    assertEquals(httpBody.path("payload_sha256").asText(""), r.getDryRun().getPayloadSha256(), c.name);
                } else {
                    assertEquals(httpBody.path("report_within_seconds").asLong(), r.getReportWithinSeconds(), c.name);
                    assertEquals(httpBody.path("degraded_from").path("action").asText(""),
                            r.getFallback().getFromAction(), c.name);
                    assertEquals(httpBody.path("path").asText(""), r.getFallback().getPath(), c.name);
                }
                assertEquals(r.getDecisionId(), grpc.headers.get(GrpcCallMetadata.DECISION_ID), c.name);
                assertEquals(http.header("Toolgate-Policy-Revision"), r.getPolicyRevision(), c.name);
                assertEquals(r.getPolicyRevision(), grpc.headers.get(GrpcCallMetadata.POLICY_REVISION), c.name);
            } else {
                assertNotNull(grpc.refusal, c.name + ": gRPC allowed what HTTP refused with " + http.statusCode());
                String reason = httpBody.path("reason").asText();
                assertEquals(reason, grpc.info.getReason(), c.name);
                assertEquals("toolgate.dev", grpc.info.getDomain(), c.name);
                assertEquals(reason, grpc.denial.getReason(), c.name);
                assertEquals(expectedCode(reason), grpc.refusal.getStatus().getCode(), c.name);
                assertEquals(grpc.denial.getDecisionId(), grpc.info.getMetadataOrThrow("decision_id"), c.name);
                assertEquals(grpc.denial.getDecisionId(), grpc.trailers.get(GrpcCallMetadata.DECISION_ID), c.name);
                JsonNode problem = JSON.readTree(grpc.denial.getProblemJson());
                assertEquals(httpBody.path("status").asInt(), problem.path("status").asInt(), c.name);
                // the two calls may fall on either side of a minute: a reason that names the clock names its own
                assertEquals(sameMinute(httpBody.path("detail").asText()), sameMinute(problem.path("detail").asText()),
                        c.name);
                assertEquals(sameMinute(httpBody.path("reasons").toString()), sameMinute(problem.path("reasons")
                        .toString()), c.name);
                if (httpBody.has("approval_id")) {
                    assertFalse(grpc.denial.getApprovalId().isEmpty(), c.name);
                    assertEquals(grpc.denial.getApprovalId(), grpc.info.getMetadataOrThrow("approval_id"), c.name);
                    assertEquals(httpBody.path("approval_tier").asText(), grpc.denial.getApprovalTier(), c.name);
                }
                if (reason.equals("policy_denied")) {
                    assertFalse(grpc.denial.getReasonsList().isEmpty(), c.name);
                }
            }
        }
    }

    @Test
    void aCheckAndItsReportAreInTheAuditLog() {
        // given an allowed check over gRPC
        Answer checked = grpc(new Case("", SUPPORT, Map.of(), "payments", "GET", "/charges/ch_audited", ""));
        String id = checked.response.getDecisionId();

        // when it is reported
        ReportResponse reported = stub(SUPPORT, Map.of()).report(ReportRequest.newBuilder().setDecisionId(id)
                .setCostUsdMicros(0).setStatus("200").build());

        // then it is settled, and its intent and outcome are recorded as a check's
        assertTrue(reported.getSettled());
        assertEquals(0, reported.getCostUsdMicros());
        List<JsonNode> records = AuditRecords.await(id, 2);
        assertEquals(List.of("intent", "outcome"), records.stream().map(r -> r.path("type").asText()).toList());
        assertEquals("check", records.get(0).path("protocol").asText());
        assertEquals("charges.get", records.get(0).path("action").asText());
        assertEquals("200", records.get(1).path("status").asText());
    }

    @Test
    void onlyTheAgentThatCheckedMayReportAndOnlyOnce() {
        String id = grpc(new Case("", SUPPORT, Map.of(), "payments", "GET", "/charges/ch_rep", "")).response
                .getDecisionId();
        ReportRequest report = ReportRequest.newBuilder().setDecisionId(id).build();

        assertReason("invalid_arguments", Status.Code.INVALID_ARGUMENT,
                () -> stub("Bearer demo-deploy-key", Map.of()).report(report));
        assertReason("unauthenticated", Status.Code.UNAUTHENTICATED, () -> stub(null, Map.of()).report(report));
        assertReason("invalid_arguments", Status.Code.INVALID_ARGUMENT, () -> stub(SUPPORT, Map.of())
                .report(report.toBuilder().setCostUsdMicros(-1).build()));
        assertTrue(stub(SUPPORT, Map.of()).report(report).getSettled());
        assertReason("invalid_arguments", Status.Code.INVALID_ARGUMENT, () -> stub(SUPPORT, Map.of()).report(report));
    }

    @Test
    void aRepeatedCheckWithTheSameIdempotencyKeyIsAnsweredWithTheFirstDecision() {
        Map<String, String> key = Map.of("idempotency-key", "grpc-idem-" + System.nanoTime());
        Case lookup = new Case("", SUPPORT, key, "payments", "GET", "/charges/ch_idem", "");

        Answer first = grpc(lookup);
        Answer again = grpc(lookup);

        assertFalse(first.response.getIdempotentReplay());
        assertTrue(again.response.getIdempotentReplay());
        assertEquals(first.response.getDecisionId(), again.response.getDecisionId());
        assertReason("idempotency_conflict", Status.Code.ABORTED,
                () -> stub(SUPPORT, key).check(request(new Case("", SUPPORT, key, "payments", "GET",
                        "/charges/ch_other", ""))));
    }

    @Test
    void refusesMetadataSentTwiceAndBodiesThatAreNotJsonObjects() {
        Metadata twice = new Metadata();
        Metadata.Key<String> auth = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
        twice.put(auth, SUPPORT);
        twice.put(auth, "Bearer demo-deploy-key");
        CheckRequest lookup = request(new Case("", SUPPORT, Map.of(), "payments", "GET", "/charges/ch_1", ""));
        assertReason("unauthenticated", Status.Code.UNAUTHENTICATED, () -> ToolGatewayGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(twice)).check(lookup));

        for (String body : List.of("[1,2]", "refund please", "{\"a\":1,\"a\":2}", "{\"a\":NaN}")) {
            assertReason("invalid_arguments", Status.Code.INVALID_ARGUMENT, () -> stub(SUPPORT, Map.of())
                    .check(lookup.toBuilder().setMethod("POST").setPath("/refunds").setBodyJson(body).build()));
        }
        String large = "{\"note\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        assertReason("payload_too_large", Status.Code.RESOURCE_EXHAUSTED, () -> stub(SUPPORT, Map.of())
                .check(lookup.toBuilder().setMethod("POST").setPath("/refunds").setBodyJson(large).build()));
    }

    @Test
    void queryParametersReachTheDecisionAsOnHttp() throws Exception {
        Case withQuery = new Case("", SUPPORT, Map.of(), "payments", "GET", "/charges/ch_q", "");
        CheckRequest request = request(withQuery).toBuilder()
                .putQuery("expand", QueryValues.newBuilder().addValues("refunds").build()).build();
        CheckResponse grpc = stub(SUPPORT, Map.of()).check(request);
        JsonNode http = JSON.readTree(given().header("Authorization", SUPPORT).contentType("application/json")
                .body("{\"tool\":\"payments\",\"method\":\"GET\",\"path\":\"/charges/ch_q\","
                        + "\"query\":{\"expand\":\"refunds\"}}")
                .post("/v1/check").then().statusCode(200).extract().asString());
        assertEquals(http.path("args_sha256").asText(), grpc.getArgsSha256());
    }

    private static Status.Code expectedCode(String reason) {
        return switch (reason) {
            case "unauthenticated" -> Status.Code.UNAUTHENTICATED;
            case "tool_not_granted", "kill_switch", "policy_denied" -> Status.Code.PERMISSION_DENIED;
            case "invalid_arguments" -> Status.Code.INVALID_ARGUMENT;
            case "approval_required", "approval_invalid" -> Status.Code.FAILED_PRECONDITION;
            case "rate_limited", "budget_exceeded", "payload_too_large" -> Status.Code.RESOURCE_EXHAUSTED;
            default -> throw new AssertionError("no expected status for " + reason);
        };
    }

    private void assertReason(String reason, Status.Code code, Runnable call) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, refused.getStatus().getCode(), refused.toString());
        assertEquals(reason, errorInfo(refused).getReason());
    }

    /** What one gRPC check answered. */
    private static final class Answer {
        CheckResponse response;
        StatusRuntimeException refusal;
        ErrorInfo info;
        Refusal denial;
        Metadata headers;
        Metadata trailers;
    }

    private Answer grpc(Case c) {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        Answer answer = new Answer();
        try {
            answer.response = stub(c.credential, c.options)
                    .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                    .check(request(c));
        } catch (StatusRuntimeException refused) {
            answer.refusal = refused;
            answer.info = errorInfo(refused);
            answer.denial = unpack(refused, Refusal.class);
        }
        answer.headers = headers.get();
        answer.trailers = answer.refusal != null ? answer.refusal.getTrailers() : trailers.get();
        return answer;
    }

    private static CheckRequest request(Case c) {
        return CheckRequest.newBuilder().setTool(c.tool).setMethod(c.method).setPath(c.path).setBodyJson(c.body)
                .build();
    }

    private ToolGatewayGrpc.ToolGatewayBlockingStub stub(String credential, Map<String, String> options) {
        Metadata metadata = new Metadata();
        if (credential != null) {
            metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), credential);
        }
        options.forEach((k, v) -> metadata.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
        return ToolGatewayGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata));
    }

    private static Response http(Case c) {
        var spec = given().contentType("application/json");
        if (c.credential != null) {
            spec = spec.header("Authorization", c.credential);
        }
        for (Map.Entry<String, String> o : c.options.entrySet()) {
            spec = spec.header(o.getKey(), o.getValue());
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tool", c.tool);
        doc.put("method", c.method);
        doc.put("path", c.path);
        String body = docJson(doc, c.body);
        return spec.body(body).post("/v1/check");
    }

    private static String docJson(Map<String, Object> doc, String body) {
        try {
            String head = JSON.writeValueAsString(doc);
            return body.isEmpty() ? head : head.substring(0, head.length() - 1) + ",\"body\":" + body + "}";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ErrorInfo errorInfo(StatusRuntimeException refused) {
        return unpack(refused, ErrorInfo.class);
    }

    private static <T extends com.google.protobuf.Message> T unpack(StatusRuntimeException refused, Class<T> type) {
        com.google.rpc.Status status = StatusProto.fromThrowable(refused);
        assertNotNull(status, "no status details in " + refused);
        for (Any detail : status.getDetailsList()) {
            if (detail.is(type)) {
                try {
                    return detail.unpack(type);
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in the details of " + refused);
    }

    /** The text with every UTC clock time ({@code wed 16:32 UTC}) made one, so that two calls a minute apart compare. */
    private static String sameMinute(String text) {
        return text.replaceAll("[a-z]{3} \\d{2}:\\d{2} UTC", "ddd HH:MM UTC");
    }
}
