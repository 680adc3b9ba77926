package dev.toolgate.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.JaegerProcess;
import dev.toolgate.testing.ProcessWorld;
import dev.toolgate.testing.ToolgateProcess;

/**
 * End to end: toolgate, the packaged application, exports its spans over OTLP to a real Jaeger, and the call's trace
 * is read back through Jaeger's query API by the trace id of the call's audit record.
 */
class JaegerTraceIT {

    @Test
    @Timeout(180)
    void aCallsTraceReachesJaegerAndIsFoundByTheAuditRecordsTraceId() throws Exception {
        try (ProcessWorld world = ProcessWorld.start("jaeger");
                JaegerProcess jaeger = JaegerProcess.start(world.log().getParent().resolve("jaeger"))) {
            Map<String, String> config = new HashMap<>(world.config());
            config.put("quarkus.otel.sdk.disabled", "false");
            config.put("quarkus.otel.exporter.otlp.traces.endpoint", jaeger.otlpEndpoint());
            config.put("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf");
            config.put("quarkus.otel.bsp.schedule.delay", "100ms");
            try (ToolgateProcess toolgate = ToolgateProcess.start(config, 0, world.log())) {
                // given an agent's trace
                String agentTrace = UUID.randomUUID().toString().replace("-", "");
                String agentSpan = "00f067aa0ba902b7";

                // when it calls a tool through toolgate
                HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(toolgate.base() + "/tools/payments/refunds"))
                        .header("Authorization", "Bearer demo-support-key").header("Content-Type", "application/json")
                        .header("traceparent", "00-" + agentTrace + "-" + agentSpan + "-01")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"charge\":\"ch_jaeger_1\",\"amount_usd_micros\":1000,\"tenant\":\"acme\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(201, answer.statusCode(), answer.body());
                String decisionId = answer.headers().firstValue("Toolgate-Decision-Id").orElseThrow();

                // then the audit record names the trace
                String traceId = AuditRecords.await(world.auditFile(), decisionId, 2).get(0).path("trace_id").asText();
                assertEquals(agentTrace, traceId);

                // and Jaeger has it: toolgate's call under the agent's span, its stages, and the tool's exchange
                AtomicReference<JsonNode> found = new AtomicReference<>();
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> jaeger.trace(traceId).filter(t -> t.path("spans").size() >= 4).map(t -> {
                            found.set(t);
                            return true;
                        }).orElse(false));
                JsonNode trace = found.get();
                Map<String, JsonNode> byName = new HashMap<>();
                List<String> names = new ArrayList<>();
                trace.path("spans").forEach(s -> {
                    byName.put(s.path("operationName").asText(), s);
                    names.add(s.path("operationName").asText());
                });
                assertTrue(names.contains("execute_tool payments"), names.toString());
                assertTrue(names.contains("toolgate.stage policy"), names.toString());
                assertTrue(names.contains("POST"), names.toString());
                JsonNode call = byName.get("execute_tool payments");
                assertEquals(agentSpan, call.path("references").path(0).path("spanID").asText());
                assertEquals("toolgate", trace.path("processes").path(call.path("processID").asText())
                        .path("serviceName").asText());
                assertEquals("allow", tag(call, "toolgate.decision"));
                assertEquals("support-bot", tag(call, "toolgate.agent"));
                assertEquals(decisionId, tag(call, "toolgate.decision_id"));
                JsonNode exchange = byName.get("POST");
                assertEquals(call.path("spanID").asText(), exchange.path("references").path(0).path("spanID").asText());
                assertEquals("201", tag(exchange, "http.response.status_code"));
                assertFalse(trace.toString().contains("ch_jaeger_1"), "an argument value reached Jaeger");

                // when the trace store goes away, calls go on: spans are exported off the call's path
                jaeger.close();
                for (int i = 0; i < 20; i++) {
                    HttpResponse<String> later = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(toolgate.base() + "/tools/payments/refunds"))
                            .header("Authorization", "Bearer demo-support-key")
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"charge\":\"ch_2\",\"amount_usd_micros\":1000,\"tenant\":\"acme\"}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(201, later.statusCode(), later.body());
                }
            }
        }
    }

    private static String tag(JsonNode span, String key) {
        for (JsonNode tag : span.path("tags")) {
            if (tag.path("key").asText().equals(key)) {
                return tag.path("value").asText();
            }
        }
        return null;
    }
}
