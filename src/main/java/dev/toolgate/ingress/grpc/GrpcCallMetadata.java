package dev.toolgate.ingress.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.vertx.core.MultiMap;

/**
 * The metadata of every gRPC call: what the call sent, as the headers the shared ingress helpers read
 * ({@link #request()}), and what its answer carries back, {@code toolgate-decision-id} and
 * {@code toolgate-policy-revision} ({@link #answer()}), in the headers of an answer or the trailers of a refusal.
 */
@GlobalInterceptor
@ApplicationScoped
public class GrpcCallMetadata implements ServerInterceptor {

    static final Metadata.Key<String> DECISION_ID = Metadata.Key.of("toolgate-decision-id",
            Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> POLICY_REVISION = Metadata.Key.of("toolgate-policy-revision",
            Metadata.ASCII_STRING_MARSHALLER);

    private static final Context.Key<MultiMap> REQUEST = Context.key("toolgate-request-metadata");
    private static final Context.Key<Answer> ANSWER = Context.key("toolgate-answer-metadata");

    /** What an answer carries back; set by the service before it answers. */
    static final class Answer {

        private volatile String decisionId;
        private volatile String policyRevision;
        private volatile boolean written;

        void decided(String decisionId, String policyRevision) {
            this.decisionId = decisionId;
            this.policyRevision = policyRevision;
        }

        private void writeTo(Metadata metadata) {
            if (written) {
                return;
            }
            written = true;
            put(metadata, DECISION_ID, decisionId);
            put(metadata, POLICY_REVISION, policyRevision);
        }

        private static void put(Metadata metadata, Metadata.Key<String> key, String value) {
            if (value != null && !value.isEmpty()) {
                metadata.discardAll(key);
                metadata.put(key, value);
            }
        }
    }

    /** The request metadata of the gRPC call this runs in (empty outside one). */
    static MultiMap request() {
        MultiMap headers = REQUEST.get();
        return headers == null ? MultiMap.caseInsensitiveMultiMap() : headers;
    }

    /** The answer metadata of the gRPC call this runs in. */
    static Answer answer() {
        Answer answer = ANSWER.get();
        return answer == null ? new Answer() : answer;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        Answer answer = new Answer();
        Context context = Context.current().withValues(REQUEST, headers(headers), ANSWER, answer);
        ServerCall<Q, A> answering = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
                answer.writeTo(responseHeaders);
                super.sendHeaders(responseHeaders);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                answer.writeTo(trailers);
                super.close(status, trailers);
            }
        };
        return Contexts.interceptCall(context, answering, headers, next);
    }

    /** The call's text metadata, every value of every key (binary {@code -bin} values are never read). */
    static MultiMap headers(Metadata metadata) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (String key : metadata.keys()) {
            if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                Iterable<String> values = metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
                if (values != null) {
                    values.forEach(value -> headers.add(key, value));
                }
            }
        }
        return headers;
    }
}
