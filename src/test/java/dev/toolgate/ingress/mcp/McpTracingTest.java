package dev.toolgate.ingress.mcp;

import static dev.toolgate.ingress.mcp.McpHttp.SUPPORT;
import static dev.toolgate.ingress.mcp.McpHttp.open;
import static dev.toolgate.ingress.mcp.McpHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.testing.McpResource;
import dev.toolgate.testing.McpUpstreamServer;
import dev.toolgate.testing.TracingProfile;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * An MCP {@code tools/call} continues the trace in {@code params._meta.traceparent} and hands the server toolgate's
 * span, in {@code _meta} and in the {@code traceparent} header.
 */
@QuarkusTest
@TestProfile(TracingProfile.class)
@WithTestResource(McpResource.class)
class McpTracingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    InMemorySpanExporter spans;

    private List<SpanData> trace(String traceId, SpanKind kind) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .anyMatch(s -> s.getTraceId().equals(traceId) && s.getKind() == kind));
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    }

    @Test
    void aToolsCallContinuesTheTraceInMetaAndPassesToolgatesSpanToTheServer() throws Exception {
        // given a session and a trace context in the request's _meta (and another, ignored, in the header)
        String session = open("docs", SUPPORT);
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String parent = "b7ad6b7169203331";
        McpResource.upstream().clearRecords();

        // when the agent calls a tool
        io.restassured.response.Response answered = request(SUPPORT, session)
                .header("traceparent", "00-" + "1".repeat(32) + "-" + "2".repeat(16) + "-01")
                .body(McpHttp.request(7, "tools/call", "{\"name\":\"search_docs\",\"arguments\":{\"query\":\"refund\"},"
                        + "\"_meta\":{\"dev.toolgate/run_id\":\"run-traced\",\"traceparent\":\"00-" + traceId + "-" + parent
                        + "-01\"}}"))
                .post("/mcp/docs");
        answered.then().statusCode(200);
        JsonNode answer = McpHttp.answer(answered, 7);
        assertEquals(false, answer.has("error") || answer.path("result").path("isError").asBoolean(),
                answer.toString());

        // then the call continues the trace of _meta, with a client span for the exchange with the server
        SpanData call = trace(traceId, SpanKind.SERVER).stream().filter(s -> s.getKind() == SpanKind.SERVER)
                .findFirst().orElseThrow();
        assertEquals(parent, call.getParentSpanId());
        assertEquals("tools/call", call.getAttributes().get(AttributeKey.stringKey("mcp.method.name")));
        SpanData exchange = trace(traceId, SpanKind.CLIENT).stream().filter(s -> s.getKind() == SpanKind.CLIENT)
                .findFirst().orElseThrow();
        assertEquals(call.getSpanId(), exchange.getParentSpanId());
        assertEquals("tools/call search_docs", exchange.getName());

        // and the server got toolgate's span, in _meta and in the header, and not the agent's
        String expected = "00-" + traceId + "-" + exchange.getSpanId() + "-01";
        McpUpstreamServer.HttpExchange sent = McpResource.upstream().exchanges().stream()
                .filter(x -> "tools/call".equals(x.rpcMethod())).findFirst().orElseThrow();
        JsonNode body = JSON.readTree(sent.body());
        assertEquals(expected, body.path("params").path("_meta").path("traceparent").asText());
        assertEquals(List.of(expected), sent.requestHeaders().entrySet().stream()
                .filter(h -> h.getKey().equalsIgnoreCase("traceparent")).findFirst().orElseThrow().getValue());
    }
}
