package dev.toolgate.ingress.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.toolgate.testing.GrpcProxyResource;
import dev.toolgate.testing.LedgerUpstream;
import dev.toolgate.testing.TracingProfile;
import dev.toolgate.testing.grpc.Entry;
import dev.toolgate.testing.grpc.LedgerGrpc;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** A proxied gRPC call continues the trace in its {@code traceparent} metadata and hands the tool toolgate's span. */
@QuarkusTest
@TestProfile(TracingProfile.class)
@WithTestResource(GrpcProxyResource.class)
class GrpcTracingTest {

    private static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent",
            Metadata.ASCII_STRING_MARSHALLER);

    @GrpcClient("toolgate")
    Channel channel;

    @Inject
    InMemorySpanExporter spans;

    @BeforeEach
    void clear() {
        GrpcProxyResource.upstream().clear();
    }

    @Test
    void aProxiedCallContinuesTheTraceAndTheToolContinuesToolgates() {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        Metadata sent = new Metadata();
        sent.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer ledger-key");
        sent.put(TRACEPARENT, "00-" + traceId + "-b7ad6b7169203331-01");

        LedgerGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(sent))
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .post(Entry.newBuilder().setAccount("acct_1").setAmountUsdMicros(5_000).build());

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .anyMatch(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER));
        List<SpanData> trace = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId))
                .toList();
        SpanData call = trace.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertEquals("b7ad6b7169203331", call.getParentSpanId());
        assertEquals("grpc", call.getAttributes().get(AttributeKey.stringKey("rpc.system")));
        SpanData exchange = trace.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
        assertEquals("testing.v1.Ledger/Post", exchange.getName());
        assertEquals("testing.v1.Ledger", exchange.getAttributes().get(AttributeKey.stringKey("rpc.service")));
        assertEquals("Post", exchange.getAttributes().get(AttributeKey.stringKey("rpc.method")));

        List<LedgerUpstream.Arrived> arrived = GrpcProxyResource.upstream().arrived();
        assertEquals(1, arrived.size());
        assertEquals("00-" + traceId + "-" + exchange.getSpanId() + "-01", arrived.get(0).metadata().get(TRACEPARENT));
    }
}
