package dev.toolgate.ingress.grpc;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.CallIds;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Denial;
import dev.toolgate.call.GrpcDescriptors;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Reason;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.forward.UpstreamHeaders;
import dev.toolgate.ingress.web.CallHeaders;
import dev.toolgate.pipeline.Outcome;
import dev.toolgate.pipeline.StoredReply;
import dev.toolgate.pipeline.Upstream;
import dev.toolgate.pipeline.UpstreamResult;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;

/**
 * One call through the transparent gRPC proxy. The first request message (or, for a client stream that sends none, its
 * end) is what the pipeline decides on: the call of the gRPC tool that serves the method's service, the full method
 * name as the action, the message read as arguments when the tool has a descriptor set, the identity from the
 * {@code authorization} metadata. Once allowed, the call is relayed to the tool's upstream: the first message, then the
 * client's others as they come (client and bidirectional streams are decided on their first message), the answers
 * back as they come, and the upstream's status and trailers as the call's. The deadline goes on to the upstream,
 * capped by the tool's request timeout; metadata passes only where the tool's {@code headers} name it, never the
 * credential or toolgate's own.
 */
final class ProxiedCall extends ServerCall.Listener<byte[]> {

    private static final Logger LOG = Logger.getLogger(ProxiedCall.class);
    static final String STORED = "grpc";
    static final Metadata.Key<String> REPLAY = Metadata.Key.of("toolgate-idempotent-replay",
            Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> DRY_RUN = Metadata.Key.of("toolgate-dry-run", Metadata.ASCII_STRING_MARSHALLER);

    private final ServerCall<byte[], byte[]> call;
    private final Metadata requestMetadata;
    private final GrpcProxy proxy;
    private final String fullMethod;
    private final Deadline deadline;
    private final String id = CallIds.next();

    // guarded by this: the server call is not thread-safe, and the upstream answers on a Vert.x event loop
    private boolean decided;
    private boolean halfClosed;
    private boolean cancelled;
    private boolean closed;
    private boolean headersSent;
    private GrpcClientRequest<Buffer, Buffer> upstream;
    private GrpcClientResponse<Buffer, Buffer> answers;

    ProxiedCall(ServerCall<byte[], byte[]> call, Metadata requestMetadata, GrpcProxy proxy) {
        this.call = call;
        this.requestMetadata = requestMetadata;
        this.proxy = proxy;
        this.fullMethod = call.getMethodDescriptor().getFullMethodName();
        this.deadline = Context.current().getDeadline();
    }

    ProxiedCall start() {
        call.request(1);
        return this;
    }

    @Override
    public synchronized void onMessage(byte[] message) {
        if (!decided) {
            decided = true;
            decide(message);
        } else if (upstream != null && !closed) {
            upstream.write(Buffer.buffer(message));
            if (upstream.writeQueueFull()) {
                // the tool reads slower than the agent writes: ask for the next message once the queue drains
                upstream.drainHandler(drained -> {
                    synchronized (ProxiedCall.this) {
                        if (!closed) {
                            call.request(1);
                        }
                    }
                });
            } else {
                call.request(1);
            }
        }
    }

    @Override
    public synchronized void onHalfClose() {
        halfClosed = true;
        if (!decided) {
            decided = true;
            decide(new byte[0]);
        } else if (upstream != null) {
            upstream.end();
        }
    }

    @Override
    public synchronized void onCancel() {
        cancelled = true;
        closed = true;
        if (upstream != null) {
            upstream.cancel();
        }
    }

    @Override
    public synchronized void onReady() {
        if (answers != null) {
            answers.resume();
        }
    }

    /** Hands the call to the pipeline; what it decides is answered by {@link #finish}. */
    private void decide(byte[] first) {
        MultiMap metadata = GrpcCallMetadata.headers(requestMetadata);
        int slash = fullMethod.lastIndexOf('/');
        String service = slash < 0 ? fullMethod : fullMethod.substring(0, slash);
        Contract contract = proxy.active.snapshot().contract();
        Optional<ToolSpec> tool = contract.tools().values().stream()
                .filter(t -> t.kind() == ToolSpec.Kind.GRPC && t.grpc().map(g -> g.services().contains(service))
                        .orElse(false))
                .findFirst();
        Optional<Denial> refusal = CallHeaders.problem(metadata);
        byte[] body = new byte[0];
        if (refusal.isEmpty() && first.length > proxy.maxMessageBytes) {
            refusal = Optional.of(Denial.of(Reason.PAYLOAD_TOO_LARGE, "the request message is " + first.length
                    + " bytes, over the limit of " + proxy.maxMessageBytes));
        }
        Optional<GrpcDescriptors> descriptors = tool.flatMap(t -> t.grpc().orElseThrow().descriptors());
        if (refusal.isEmpty() && descriptors.isPresent()) {
            Optional<Descriptors.MethodDescriptor> method = descriptors.get().method(fullMethod);
            if (method.isPresent()) {
                try {
                    body = GrpcArguments.of(method.get().getInputType(), first).toString()
                            .getBytes(StandardCharsets.UTF_8);
                } catch (InvalidProtocolBufferException e) {
                    refusal = Optional.of(Denial.of(Reason.INVALID_ARGUMENTS, "the request message is not a "
                            + method.get().getInputType().getFullName()));
                }
            }
        }
        ToolCall received = ToolCall.received(id, Protocol.GRPC, tool.map(ToolSpec::name).orElse(service),
                new Invocation(ActionSpec.GRPC_METHOD, fullMethod, Map.of(), body),
                new Secret(metadata.get("authorization")), CallHeaders.runId(metadata), CallHeaders.mode(metadata),
                Instant.now())
                .withRequestOptions(Optional.ofNullable(metadata.get(CallHeaders.APPROVAL)),
                        Optional.ofNullable(metadata.get(CallHeaders.IDEMPOTENCY_KEY)))
                .withTrace(CallHeaders.trace(metadata));
        Uni<Outcome<Reply>> outcome = refusal.isPresent() ? proxy.pipeline.refuse(received, refusal.get())
                : proxy.pipeline.handle(received, new Relay(first, metadata));
        outcome.subscribe().with(this::finish, this::fault);
    }

    /** What the upstream answered, once it ended; {@code first} is its only message when it sent one. */
    record Reply(int code, String message, MultiMap trailers, byte[] first, int messages) {
    }

    /** The upstream of one proxied call. */
    private final class Relay implements Upstream<Reply> {

        private final byte[] first;
        private final MultiMap metadata;

        Relay(byte[] first, MultiMap metadata) {
            this.first = first;
            this.metadata = metadata;
        }

        @Override
        public Uni<UpstreamResult<Reply>> send(ToolCall decided) {
            ToolSpec tool = decided.action().orElseThrow().tool();
            Promise<UpstreamResult<Reply>> done = Promise.promise();
            proxy.forwarder.open(tool, fullMethod).onComplete(opened -> {
                if (opened.failed()) {
                    done.tryComplete(new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                            "tool " + tool.name() + " could not be reached"), UpstreamResult.Delivery.NOT_SENT));
                    return;
                }
                exchange(opened.result(), tool, decided, done);
            });
            return Uni.createFrom().completionStage(done.future().toCompletionStage());
        }

        private void exchange(GrpcClientRequest<Buffer, Buffer> request, ToolSpec tool, ToolCall decided,
                Promise<UpstreamResult<Reply>> done) {
            for (String name : tool.headers()) {
                if (!name.startsWith("toolgate-") && !name.startsWith("grpc-") && !name.equals("authorization")
                        && !name.equals("traceparent") && !name.equals("tracestate")) {
                    metadata.getAll(name).forEach(value -> request.headers().add(name, value));
                }
            }
            request.headers().set("toolgate-decision-id", decided.id());
            UpstreamHeaders.trace(decided.trace()).forEach(h -> request.headers().set(h.getKey(), h.getValue()));
            long timeout = timeoutMillis(tool.requestTimeout());
            request.headers().set("grpc-timeout", timeout + "m");
            long timer = proxy.vertx.setTimer(timeout + 500, t -> {
                request.cancel();
                done.tryComplete(new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_TIMEOUT, "tool " + tool.name()
                        + " did not answer within " + timeout + " ms"), UpstreamResult.Delivery.MAYBE_SENT));
            });
            request.exceptionHandler(e -> done.tryComplete(broken(tool)));
            request.response().onComplete(answered -> {
                if (answered.failed()) {
                    proxy.vertx.cancelTimer(timer);
                    done.tryComplete(broken(tool));
                    return;
                }
                GrpcClientResponse<Buffer, Buffer> response = answered.result();
                byte[][] kept = new byte[1][];
                int[] count = new int[1];
                synchronized (ProxiedCall.this) {
                    answers = response;
                }
                response.handler(message -> {
                    count[0]++;
                    byte[] bytes = message.getBytes();
                    if (count[0] == 1 && bytes.length <= proxy.maxUpstreamBytes) {
                        kept[0] = bytes;
                    }
                    relay(response, bytes);
                });
                response.exceptionHandler(e -> {
                    proxy.vertx.cancelTimer(timer);
                    done.tryComplete(broken(tool));
                });
                response.endHandler(end -> {
                    proxy.vertx.cancelTimer(timer);
                    int code = response.status() == null ? Status.Code.UNKNOWN.value() : response.status().code;
                    // an answer without messages may come as trailers only: its metadata is then in the headers
                    MultiMap trailers = MultiMap.caseInsensitiveMultiMap();
                    if (count[0] == 0 && response.headers() != null) {
                        trailers.addAll(response.headers());
                    }
                    if (response.trailers() != null) {
                        trailers.addAll(response.trailers());
                    }
                    done.tryComplete(new UpstreamResult.Replied<>(new Reply(code,
                            response.statusMessage() == null ? "" : response.statusMessage(), trailers,
                            count[0] == 1 ? kept[0] : null, count[0]), Status.fromCodeValue(code).getCode().name()));
                });
            });
            synchronized (ProxiedCall.this) {
                upstream = request;
                if (cancelled) {
                    // the agent left before the tool was asked: nothing was sent, nothing is charged
                    proxy.vertx.cancelTimer(timer);
                    request.cancel();
                    done.tryComplete(new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                            "the agent cancelled the call before it reached tool " + tool.name()),
                            UpstreamResult.Delivery.NOT_SENT));
                    return;
                }
                request.write(Buffer.buffer(first));
                if (halfClosed) {
                    request.end();
                } else {
                    call.request(1);
                }
            }
        }

        private UpstreamResult<Reply> broken(ToolSpec tool) {
            return new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE, "tool " + tool.name()
                    + " broke off the call"), UpstreamResult.Delivery.MAYBE_SENT);
        }

        /** A unary answer is kept for an idempotency key; a stream is not (a repeat of its key is refused). */
        @Override
        public Optional<StoredReply> encode(Reply reply) {
            return reply.code() == 0 && reply.messages() == 1 && reply.first() != null
                    ? Optional.of(new StoredReply(STORED, reply.first()))
                    : Optional.empty();
        }

        @Override
        public Optional<Reply> decode(StoredReply stored) {
            return stored.protocol().equals(STORED)
                    ? Optional.of(new Reply(0, "", MultiMap.caseInsensitiveMultiMap(), stored.bytes(), 1))
                    : Optional.empty();
        }
    }

    /** The remaining deadline of the agent's call, capped by the tool's request timeout, in milliseconds (at least 1). */
    private long timeoutMillis(Duration requestTimeout) {
        long timeout = requestTimeout.toMillis();
        if (deadline != null) {
            timeout = Math.min(timeout, deadline.timeRemaining(TimeUnit.MILLISECONDS));
        }
        return Math.max(1, Math.min(timeout, 99_999_999));
    }

    /** One answer of the upstream, relayed as it comes; the upstream pauses while the agent reads slower. */
    private synchronized void relay(GrpcClientResponse<Buffer, Buffer> response, byte[] message) {
        if (closed) {
            return;
        }
        if (!headersSent) {
            Metadata headers = new Metadata();
            headers.put(GrpcCallMetadata.DECISION_ID, id);
            call.sendHeaders(headers);
            headersSent = true;
        }
        call.sendMessage(message);
        if (!call.isReady()) {
            response.pause();
        }
    }

    private synchronized void finish(Outcome<Reply> outcome) {
        if (closed) {
            return;
        }
        closed = true;
        Metadata trailers = new Metadata();
        trailers.put(GrpcCallMetadata.DECISION_ID, outcome.call().id());
        if (!outcome.policyRevision().isEmpty()) {
            trailers.put(GrpcCallMetadata.POLICY_REVISION, outcome.policyRevision());
        }
        try {
            switch (outcome) {
                case Outcome.Answered<Reply> a -> {
                    copyTrailers(a.reply().trailers(), trailers);
                    Status status = Status.fromCodeValue(a.reply().code());
                    call.close(a.reply().message().isEmpty() ? status : status.withDescription(a.reply().message()),
                            trailers);
                }
                case Outcome.Replayed<Reply> r -> {
                    if (!headersSent) {
                        call.sendHeaders(new Metadata());
                    }
                    call.sendMessage(r.reply().first());
                    trailers.put(REPLAY, "true");
                    call.close(Status.OK, trailers);
                }
                case Outcome.Refused<Reply> r -> {
                    StatusRuntimeException refused = GrpcRefusals.of(proxy.json, r.call(), r.policyRevision(),
                            r.denial());
                    call.close(refused.getStatus(), refused.getTrailers());
                }
                case Outcome.Proposed<Reply> p -> {
                    // a dry run sends the tool nothing, so there is no answer message: the proposal is in the trailers
                    trailers.put(DRY_RUN, p.denial().isEmpty() ? "allow" : "deny " + p.denial().get().reason().code());
                    call.close(Status.ABORTED.withDescription("dry run: toolgate-mode dry-run forwards nothing"),
                            trailers);
                }
            }
        } catch (IllegalStateException alreadyClosed) {
            LOG.debugf("gRPC call %s ended before its answer: %s", id, alreadyClosed.getMessage());
        }
    }

    private synchronized void fault(Throwable fault) {
        LOG.warnf("gRPC call %s failed: %s", id, fault.toString());
        LOG.debug("gRPC call fault", fault);
        if (closed) {
            return;
        }
        closed = true;
        StatusRuntimeException refused = GrpcRefusals.of(proxy.json, id, "", Denial.of(Reason.GATEWAY_ERROR,
                "the gateway could not handle the call"));
        try {
            call.close(refused.getStatus(), refused.getTrailers());
        } catch (IllegalStateException alreadyClosed) {
            LOG.debugf("gRPC call %s ended before its answer", id);
        }
    }

    /** The upstream's trailers, but for the status (given apart) and toolgate's own. */
    private static void copyTrailers(MultiMap from, Metadata to) {
        if (from == null) {
            return;
        }
        for (Map.Entry<String, String> trailer : from) {
            String name = trailer.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("grpc-status") || name.equals("grpc-message") || name.startsWith("toolgate-")
                    || name.startsWith(":") || name.equals("content-type") || name.equals("grpc-encoding")
                    || name.equals("grpc-accept-encoding")) {
                continue;
            }
            try {
                if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                    to.put(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER),
                            Base64.getDecoder().decode(padded(trailer.getValue())));
                } else {
                    to.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), trailer.getValue());
                }
            } catch (IllegalArgumentException unusable) {
                LOG.debugf("an upstream trailer was dropped: %s", name);
            }
        }
    }

    private static String padded(String base64) {
        int rest = base64.length() % 4;
        return rest == 0 ? base64 : base64 + "=".repeat(4 - rest);
    }
}
