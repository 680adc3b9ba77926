package dev.toolgate.telemetry;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.toolgate.demo.SampleTools;
import dev.toolgate.pipeline.Pipeline;
import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import dev.toolgate.testing.TracingProfile;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Traces of HTTP tool calls, read from the in-memory exporter: one span per call continuing the agent's
 * {@code traceparent}, a child per stage, one for the tool, the tool told to continue that one; no argument value in
 * any span; a hostile {@code traceparent} never continued nor passed on.
 */
@QuarkusTest
@TestProfile(TracingProfile.class)
@WithTestResource(GatewayResource.class)
class HttpTracingTest {

    private static final String SUPPORT = "Bearer demo-support-key";

    @Inject
    InMemorySpanExporter spans;

    @Inject
    Pipeline pipeline;

    @BeforeEach
    void clear() {
        spans.reset();
    }

    private static String traceId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private List<SpanData> trace(String traceId, int atLeast) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(traceId)).count() >= atLeast);
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    }

    private static SpanData only(List<SpanData> spans, SpanKind kind) {
        List<SpanData> found = spans.stream().filter(s -> s.getKind() == kind).toList();
        assertEquals(1, found.size(), found.toString());
        return found.get(0);
    }

    private static String attribute(SpanData span, String key) {
        Object value = span.getAttributes().get(AttributeKey.stringKey(key));
        return value == null ? null : value.toString();
    }

    private static SampleTools.Received received(Response response) {
        return GatewayResource.tools().received().stream()
                .filter(r -> response.header("Toolgate-Decision-Id").equals(r.headers().get("toolgate-decision-id")))
                .findFirst().orElseThrow();
    }

    @Test
    void aForwardedCallContinuesTheAgentsTraceAndTheToolContinuesToolgates() {
        // given an agent's trace context
        String traceId = traceId();
        String parent = "00f067aa0ba902b7";

        // when it calls a tool through toolgate
        Response response = given().header("Authorization", SUPPORT).header("Toolgate-Run-Id", "run-traced")
                .header("traceparent", "00-" + traceId + "-" + parent + "-01").header("tracestate", "vendor=abc")
                .contentType("application/json")
                .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":1000,\"tenant\":\"acme\"}")
                .post("/tools/payments/refunds");
        response.then().statusCode(201);

        // then the call is a server span under the agent's, with a span per stage and one for the tool
        List<SpanData> spans = trace(traceId, pipeline.stageNames().size() + 2);
        SpanData call = only(spans, SpanKind.SERVER);
        assertEquals(parent, call.getParentSpanId());
        assertEquals("execute_tool payments", call.getName());
        assertEquals("execute_tool", attribute(call, "gen_ai.operation.name"));
        assertEquals("payments", attribute(call, "gen_ai.tool.name"));
        assertEquals("refunds.create", attribute(call, "toolgate.action"));
        assertEquals("support-bot", attribute(call, "toolgate.agent"));
        assertEquals("acme", attribute(call, "toolgate.tenant"));
        assertEquals("billing-dispute", attribute(call, "toolgate.workflow"));
        assertEquals("run-traced", attribute(call, "toolgate.run_id"));
        assertEquals("allow", attribute(call, "toolgate.decision"));
        assertEquals("answered", attribute(call, "toolgate.outcome"));
        assertEquals("none", attribute(call, "toolgate.approval.tier"));
        assertEquals(response.header("Toolgate-Decision-Id"), attribute(call, "toolgate.decision_id"));
        assertEquals(response.header("Toolgate-Policy-Revision"), attribute(call, "toolgate.policy_revision"));
        assertEquals("POST", attribute(call, "http.request.method"));

        List<String> stages = spans.stream().filter(s -> s.getKind() == SpanKind.INTERNAL)
                .peek(s -> assertEquals(call.getSpanId(), s.getParentSpanId()))
                .sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos))
                .map(s -> attribute(s, "toolgate.stage")).toList();
        assertEquals(pipeline.stageNames(), stages);

        SpanData tool = only(spans, SpanKind.CLIENT);
        assertEquals(call.getSpanId(), tool.getParentSpanId());
        assertEquals("POST", tool.getName());
        assertEquals(201L, tool.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("127.0.0.1", attribute(tool, "server.address"));
        assertEquals(StatusCode.UNSET, tool.getStatus().getStatusCode());

        // and the tool was told to continue toolgate's span of the exchange, not the agent's
        String sent = received(response).headers().get("traceparent");
        assertEquals("00-" + traceId + "-" + tool.getSpanId() + "-01", sent);
        assertEquals("vendor=abc", received(response).headers().get("tracestate"));

        // and the audit records name the trace
        AuditRecords.await(response.header("Toolgate-Decision-Id"), 2)
                .forEach(r -> assertEquals(traceId, r.path("trace_id").asText()));
    }

    @Test
    void noArgumentValueAppearsInAnySpan() {
        String traceId = traceId();
        Response response = given().header("Authorization", SUPPORT)
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").contentType("application/json")
                .body("{\"charge\":\"ch_secret_charge_77\",\"amount_usd_micros\":1000,\"tenant\":\"acme\","
                        + "\"customer_email\":\"hidden.person@example.com\",\"note\":\"note-text-xyz\"}")
                .post("/tools/payments/refunds");
        response.then().statusCode(201);

        List<SpanData> spans = trace(traceId, pipeline.stageNames().size() + 2);
        for (SpanData span : spans) {
            String all = span.getName() + span.getAttributes() + span.getEvents() + span.getStatus();
            for (String value : List.of("ch_secret_charge_77", "hidden.person@example.com", "note-text-xyz",
                    "demo-support-key")) {
                assertFalse(all.contains(value), value + " in span " + all);
            }
        }
    }

    @Test
    void aDeniedCallHasNoToolSpanAndSaysWhy() {
        String traceId = traceId();
        Response response = given().header("Authorization", SUPPORT)
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").contentType("application/json")
                .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":1000,\"tenant\":\"globex\"}")
                .post("/tools/payments/refunds");
        response.then().statusCode(403);

        // the call span ends last, after the stages that ran up to the policy's denial
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .anyMatch(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER));
        List<SpanData> spans = trace(traceId, 2);
        SpanData call = only(spans, SpanKind.SERVER);
        assertEquals("deny", attribute(call, "toolgate.decision"));
        assertEquals("policy_denied", attribute(call, "toolgate.reason"));
        assertTrue(spans.stream().noneMatch(s -> s.getKind() == SpanKind.CLIENT), "no tool span");
        assertTrue(spans.stream().anyMatch(s -> "policy".equals(attribute(s, "toolgate.stage"))
                && "deny".equals(attribute(s, "toolgate.stage.result"))));
    }

    @Test
    void aHostileTraceparentIsNeitherContinuedNorPassedOn() {
        // given trace headers that are not W3C's format: wrong version, upper case, too long, an all-zero trace id
        for (String hostile : List.of("01-" + traceId() + "-00f067aa0ba902b7-01",
                "00-" + traceId().toUpperCase() + "-00f067aa0ba902b7-01",
                "00-" + traceId() + "-00f067aa0ba902b7-01-extra",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01")) {
            spans.reset();
            Response response = given().header("Authorization", SUPPORT).header("traceparent", hostile)
                    .header("tracestate", "x=" + "a".repeat(600)).contentType("application/json")
                    .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":1000,\"tenant\":\"acme\"}")
                    .post("/tools/payments/refunds");
            response.then().statusCode(201);

            // then toolgate starts a trace of its own, and the tool gets toolgate's context, never the hostile one
            String sent = received(response).headers().get("traceparent");
            assertNotEquals(hostile, sent);
            assertTrue(sent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), sent);
            String traceId = sent.substring(3, 35);
            SpanData call = only(trace(traceId, 2), SpanKind.SERVER);
            assertEquals("0000000000000000", call.getParentSpanId(), "a root span");
            assertEquals(null, received(response).headers().get("tracestate"));
        }
    }
}
