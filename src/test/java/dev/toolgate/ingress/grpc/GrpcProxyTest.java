package dev.toolgate.ingress.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GrpcProxyResource;
import dev.toolgate.testing.LedgerUpstream;
import dev.toolgate.testing.grpc.ArchiveGrpc;
import dev.toolgate.testing.grpc.Entry;
import dev.toolgate.testing.grpc.LedgerGrpc;
import dev.toolgate.testing.grpc.Receipt;
import dev.toolgate.testing.grpc.VaultGrpc;
import dev.toolgate.testing.grpc.WatchRequest;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The transparent gRPC proxy, between a real gRPC client and a real gRPC upstream: unary and every kind of stream
 * allowed and relayed, refusals by grant, policy and schema with their reason in the status details (and nothing
 * reaching the upstream), the deadline passed on, an upstream that is down or answers an error, metadata filtered, the
 * calls in the audit log.
 */
@QuarkusTest
@WithTestResource(GrpcProxyResource.class)
class GrpcProxyTest {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    @GrpcClient("toolgate")
    Channel channel;

    @BeforeEach
    void clear() {
        GrpcProxyResource.upstream().clear();
    }

    @Test
    void relaysAnAllowedUnaryCallWithItsArgumentsReadFromTheMessage() {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        Metadata sent = metadata("Bearer ledger-key");
        sent.put(Metadata.Key.of("x-request-note", Metadata.ASCII_STRING_MARSHALLER), "passes");
        sent.put(Metadata.Key.of("x-other", Metadata.ASCII_STRING_MARSHALLER), "filtered");
        sent.put(Metadata.Key.of("toolgate-run-id", Metadata.ASCII_STRING_MARSHALLER), "run-grpc-1");

        Receipt receipt = LedgerGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(sent),
                        MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .post(Entry.newBuilder().setAccount("acct_1").setAmountUsdMicros(5_000).setNote("hi").build());

        // then the upstream's answer, and the decision in the metadata
        assertEquals("r-acct_1", receipt.getId());
        assertEquals(5_000, receipt.getTotalUsdMicros());
        String id = trailers.get().get(GrpcCallMetadata.DECISION_ID);
        assertNotNull(id);
        assertNotNull(trailers.get().get(GrpcCallMetadata.POLICY_REVISION));

        // and the upstream got the message, the metadata the tool takes, the decision id and a deadline, never the
        // credential
        LedgerUpstream.Arrived arrived = only();
        assertEquals("testing.v1.Ledger/Post", arrived.method());
        assertEquals("passes", arrived.metadata().get(Metadata.Key.of("x-request-note",
                Metadata.ASCII_STRING_MARSHALLER)));
        assertNull(arrived.metadata().get(Metadata.Key.of("x-other", Metadata.ASCII_STRING_MARSHALLER)));
        assertNull(arrived.metadata().get(AUTHORIZATION));
        assertNull(arrived.metadata().get(Metadata.Key.of("toolgate-run-id", Metadata.ASCII_STRING_MARSHALLER)));
        assertEquals(id, arrived.metadata().get(Metadata.Key.of("toolgate-decision-id",
                Metadata.ASCII_STRING_MARSHALLER)));
        assertNotNull(arrived.deadlineMillis());
        assertTrue(arrived.deadlineMillis() <= 2_000, "capped by the tool's request timeout: " + arrived.deadlineMillis());

        // and the audit log has the call, its arguments as the policy saw them, and the upstream's status
        List<JsonNode> records = AuditRecords.await(GrpcProxyResource.auditFile(), id, 2);
        assertEquals("grpc", records.get(0).path("protocol").asText());
        assertEquals("testing.v1.Ledger/Post", records.get(0).path("action").asText());
        assertEquals("run-grpc-1", records.get(0).path("run_id").asText());
        assertEquals(5_000, records.get(0).path("args").path("amount_usd_micros").asLong());
        assertEquals("OK", records.get(1).path("status").asText());
    }

    @Test
    void relaysAServerStreamAsItComes() {
        Iterator<Receipt> receipts = stub(LedgerGrpc.newBlockingStub(channel), "Bearer ledger-key")
                .watch(WatchRequest.newBuilder().setAccount("acct_w").setCount(5).build());
        List<String> ids = new ArrayList<>();
        receipts.forEachRemaining(r -> ids.add(r.getId()));

        assertEquals(List.of("acct_w-1", "acct_w-2", "acct_w-3", "acct_w-4", "acct_w-5"), ids);
    }

    @Test
    void decidesAClientStreamOnItsFirstMessageAndRelaysTheRest() throws Exception {
        CompletableFuture<Receipt> answer = new CompletableFuture<>();
        StreamObserver<Entry> upload = stub(LedgerGrpc.newStub(channel), "Bearer ledger-key")
                .upload(observer(answer));
        for (int i = 1; i <= 3; i++) {
            upload.onNext(Entry.newBuilder().setAccount("acct_u").setAmountUsdMicros(i * 100).build());
        }
        upload.onCompleted();

        Receipt receipt = answer.get(10, TimeUnit.SECONDS);
        assertEquals(3, receipt.getCount());
        assertEquals(600, receipt.getTotalUsdMicros());
        assertEquals(3, only().entries().size());
    }

    @Test
    void longStreamsArriveWholeEachWay() throws Exception {
        // a client stream of 2,000 messages: relayed as the tool takes them
        CompletableFuture<Receipt> answer = new CompletableFuture<>();
        StreamObserver<Entry> upload = stub(LedgerGrpc.newStub(channel), "Bearer ledger-key").upload(observer(answer));
        for (int i = 1; i <= 2_000; i++) {
            upload.onNext(Entry.newBuilder().setAccount("acct_long").setAmountUsdMicros(1).setNote("x".repeat(200))
                    .build());
        }
        upload.onCompleted();
        assertEquals(2_000, answer.get(30, TimeUnit.SECONDS).getCount());

        // a server stream of 5,000 answers, read one at a time
        Iterator<Receipt> receipts = stub(LedgerGrpc.newBlockingStub(channel), "Bearer ledger-key")
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .watch(WatchRequest.newBuilder().setAccount("acct_long").setCount(5_000).build());
        int count = 0;
        while (receipts.hasNext()) {
            assertEquals(++count, receipts.next().getCount());
        }
        assertEquals(5_000, count);
    }

    @Test
    void relaysABidirectionalStream() throws Exception {
        List<String> notes = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<Entry> chat = stub(LedgerGrpc.newStub(channel), "Bearer ledger-key")
                .chat(new StreamObserver<>() {
                    @Override
                    public void onNext(Receipt receipt) {
                        synchronized (notes) {
                            notes.add(receipt.getNote());
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        chat.onNext(Entry.newBuilder().setNote("one").build());
        chat.onNext(Entry.newBuilder().setNote("two").build());
        chat.onCompleted();

        done.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("one", "two"), notes);
    }

    @Test
    void refusesByGrantPolicyAndSchemaWithTheReasonInTheDetailsAndTheUpstreamSeesNothing() {
        // an agent granted Watch only
        assertRefused(Status.Code.PERMISSION_DENIED, "tool_not_granted", () -> stub(LedgerGrpc.newBlockingStub(
                channel), "Bearer other-key").post(Entry.newBuilder().setAccount("acct_1").build()));
        // the policy refuses the secrets tool to an agent without the secrets-reader role
        assertRefused(Status.Code.PERMISSION_DENIED, "policy_denied", () -> stub(VaultGrpc.newBlockingStub(channel),
                "Bearer ledger-key").get(Entry.newBuilder().build()));
        // arguments outside the action's schema: an amount over its maximum, an account of the wrong shape
        assertRefused(Status.Code.INVALID_ARGUMENT, "invalid_arguments", () -> stub(LedgerGrpc.newBlockingStub(
                channel), "Bearer ledger-key").post(Entry.newBuilder().setAccount("acct_1")
                        .setAmountUsdMicros(5_000_000).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, "invalid_arguments", () -> stub(LedgerGrpc.newBlockingStub(
                channel), "Bearer ledger-key").post(Entry.newBuilder().setAccount("../admin").build()));
        // no credential, or an unknown one
        assertRefused(Status.Code.UNAUTHENTICATED, "unauthenticated", () -> LedgerGrpc.newBlockingStub(channel)
                .post(Entry.newBuilder().setAccount("acct_1").build()));
        assertRefused(Status.Code.UNAUTHENTICATED, "unauthenticated", () -> stub(LedgerGrpc.newBlockingStub(
                channel), "Bearer nope").post(Entry.newBuilder().setAccount("acct_1").build()));
        assertEquals(List.of(), GrpcProxyResource.upstream().arrived());
    }

    @Test
    void aServiceNoToolServesOrAnOddMethodNameIsRefusedLikeAnUngrantedOne() {
        for (String name : List.of("unknown.v1.Nothing/Do", "testing.v1.Ledger/Delete", "testing.v1.Ledger/post",
                "testing.v1.ledger/Post", "testing.v1.Ledger/Post/../Watch", "/testing.v1.Ledger/Post")) {
            MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]> newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(name)
                    .setRequestMarshaller(GrpcProxy.BYTES).setResponseMarshaller(GrpcProxy.BYTES).build();
            assertRefused(Status.Code.PERMISSION_DENIED, "tool_not_granted", () -> ClientCalls.blockingUnaryCall(
                    io.grpc.ClientInterceptors.intercept(channel,
                            MetadataUtils.newAttachHeadersInterceptor(metadata("Bearer ledger-key"))),
                    method, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    Entry.newBuilder().setAccount("acct_1").build().toByteArray()));
        }
        assertEquals(List.of(), GrpcProxyResource.upstream().arrived());
    }

    @Test
    void passesTheUpstreamsStatusAndTrailersThroughAndTheDeadlineOn() {
        Metadata[] trailers = new Metadata[1];
        StatusRuntimeException failed = assertThrows(StatusRuntimeException.class, () -> stub(
                LedgerGrpc.newBlockingStub(channel), "Bearer ledger-key")
                .post(Entry.newBuilder().setAccount("acct_1").setFailWith(Status.Code.NOT_FOUND.value())
                        .setNote("no such account").build()));
        trailers[0] = failed.getTrailers();
        assertEquals(Status.Code.NOT_FOUND, failed.getStatus().getCode());
        assertEquals("no such account", failed.getStatus().getDescription());
        assertEquals("kept", trailers[0].get(Metadata.Key.of("x-ledger-trailer", Metadata.ASCII_STRING_MARSHALLER)));

        // a client deadline shorter than the upstream's work
        StatusRuntimeException late = assertThrows(StatusRuntimeException.class, () -> stub(
                LedgerGrpc.newBlockingStub(channel), "Bearer ledger-key").withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .post(Entry.newBuilder().setAccount("acct_1").setSleepMs(1_500).build()));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, late.getStatus().getCode());
        List<LedgerUpstream.Arrived> arrived = GrpcProxyResource.upstream().arrived();
        assertEquals(2, arrived.size(), arrived.toString());
        assertTrue(arrived.get(1).deadlineMillis() <= 300, "the deadline reached the upstream");
    }

    @Test
    void aUnaryAnswerIsReplayedForItsIdempotencyKeyAndTheToolCalledOnce() {
        Metadata keyed = metadata("Bearer ledger-key");
        keyed.put(Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER), "grpc-" + System.nanoTime());
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        Entry entry = Entry.newBuilder().setAccount("acct_idem").setAmountUsdMicros(700).build();

        Receipt first = LedgerGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(keyed)).post(entry);
        Receipt again = LedgerGrpc.newBlockingStub(channel).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(keyed),
                MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)).post(entry);

        assertEquals(first, again);
        assertEquals("true", trailers.get().get(ProxiedCall.REPLAY));
        assertEquals(1, GrpcProxyResource.upstream().arrived().size());
        // the same key with another message is a conflict, and reaches nothing
        assertRefused(Status.Code.ABORTED, "idempotency_conflict", () -> LedgerGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(keyed))
                .post(entry.toBuilder().setAmountUsdMicros(701).build()));
        assertEquals(1, GrpcProxyResource.upstream().arrived().size());
    }

    @Test
    void aDryRunForwardsNothingAndSaysWhatEnforcingWouldHaveDone() {
        Metadata dryRun = metadata("Bearer ledger-key");
        dryRun.put(Metadata.Key.of("toolgate-mode", Metadata.ASCII_STRING_MARSHALLER), "dry-run");

        StatusRuntimeException allowed = assertThrows(StatusRuntimeException.class, () -> LedgerGrpc
                .newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(dryRun))
                .post(Entry.newBuilder().setAccount("acct_1").setAmountUsdMicros(5).build()));
        StatusRuntimeException denied = assertThrows(StatusRuntimeException.class, () -> LedgerGrpc
                .newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(dryRun))
                .post(Entry.newBuilder().setAccount("acct_1").setAmountUsdMicros(5_000_000).build()));

        assertEquals(Status.Code.ABORTED, allowed.getStatus().getCode());
        assertEquals("allow", allowed.getTrailers().get(ProxiedCall.DRY_RUN));
        assertEquals("deny invalid_arguments", denied.getTrailers().get(ProxiedCall.DRY_RUN));
        assertEquals(List.of(), GrpcProxyResource.upstream().arrived());
    }

    @Test
    void anUpstreamThatIsDownIsUnavailableWithTheReason() {
        assertRefused(Status.Code.UNAVAILABLE, "upstream_unavailable", () -> stub(ArchiveGrpc.newBlockingStub(
                channel), "Bearer ledger-key").get(Entry.newBuilder().build()));
    }

    private LedgerUpstream.Arrived only() {
        List<LedgerUpstream.Arrived> arrived = GrpcProxyResource.upstream().arrived();
        assertEquals(1, arrived.size(), arrived.toString());
        return arrived.get(0);
    }

    private static Metadata metadata(String credential) {
        Metadata metadata = new Metadata();
        metadata.put(AUTHORIZATION, credential);
        return metadata;
    }

    private static <S extends AbstractStub<S>> S stub(S stub, String credential) {
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata(credential)))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> answer) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    private static void assertRefused(Status.Code code, String reason, Runnable call) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, refused.getStatus().getCode(), refused.toString());
        com.google.rpc.Status status = StatusProto.fromThrowable(refused);
        assertNotNull(status, "no details: " + refused);
        ErrorInfo info = null;
        for (Any detail : status.getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                try {
                    info = detail.unpack(ErrorInfo.class);
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            }
        }
        assertNotNull(info, "no ErrorInfo: " + refused);
        assertEquals(reason, info.getReason(), refused.toString());
        assertEquals("toolgate.dev", info.getDomain());
    }
}
