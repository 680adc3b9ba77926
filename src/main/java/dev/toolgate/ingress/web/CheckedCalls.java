package dev.toolgate.ingress.web;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.CallIds;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.Outcome;
import dev.toolgate.pipeline.Pipeline;
import dev.toolgate.pipeline.StoredReply;
import dev.toolgate.pipeline.Upstream;
import dev.toolgate.pipeline.UpstreamResult;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;

/**
 * What the check API's two ingresses share ({@code POST /v1/check} and gRPC {@code toolgate.v1.ToolGateway/Check}):
 * the call a check describes, decided through the whole pipeline with the caller as its upstream, and the document
 * an allowed check answers. One decision and one stored reply for both, so that a check repeated with the same
 * {@code Idempotency-Key} over the other ingress is answered with the same decision.
 */
@ApplicationScoped
public class CheckedCalls {

    private final Pipeline pipeline;
    private final ObjectMapper json;
    private final long leaseSeconds;
    private final Checked checked = new Checked();

    CheckedCalls(Pipeline pipeline, ObjectMapper json, ToolgateConfig config) {
        this.pipeline = pipeline;
        this.json = json;
        this.leaseSeconds = config.limits().lease().toSeconds();
    }

    /**
     * A call received by the check API: the call as described (or, before the description could be read, a bare call
     * that names what was received, for its refusal), the credential of the {@code Authorization} header and the run
     * and mode of {@link CallHeaders}.
     */
    public ToolCall received(String tool, String method, String path, Map<String, List<String>> query, byte[] body,
            MultiMap headers) {
        return ToolCall.received(CallIds.next(), Protocol.CHECK, tool, new Invocation(method, path, query, body),
                new Secret(headers.get("Authorization")), CallHeaders.runId(headers), CallHeaders.mode(headers),
                Instant.now()).withTrace(CallHeaders.trace(headers));
    }

    /** The described call, with the approval it redeems and its idempotency key from the headers. */
    public ToolCall described(String tool, String method, String path, Map<String, List<String>> query, byte[] body,
            MultiMap headers) {
        return received(tool, method, path, query, body, headers).withRequestOptions(
                Optional.ofNullable(headers.get(CallHeaders.APPROVAL)),
                Optional.ofNullable(headers.get(CallHeaders.IDEMPOTENCY_KEY)));
    }

    /** Decides a described call; an allowed one answers the {@link #allowed} document. */
    public Uni<Outcome<ObjectNode>> check(ToolCall described) {
        return pipeline.handle(described, checked);
    }

    /** Refuses a call whose check could not be read, audited like any denial. */
    public Uni<Outcome<ObjectNode>> refuse(ToolCall call, dev.toolgate.call.Denial denial) {
        return pipeline.refuse(call, denial);
    }

    /**
     * The "upstream" of a check: the decided call is handed back to the caller to perform. Its answer is kept for an
     * {@code Idempotency-Key}, so that a repeated check is answered with the same decision and reserves nothing.
     */
    private final class Checked implements Upstream<ObjectNode> {

        private static final String PROTOCOL = "check";

        @Override
        public Uni<UpstreamResult<ObjectNode>> send(ToolCall call) {
            return Uni.createFrom().item(new UpstreamResult.Handed<>(allowed(call)));
        }

        @Override
        public Optional<StoredReply> encode(ObjectNode reply) {
            return Optional.of(new StoredReply(PROTOCOL, reply.toString().getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public Optional<ObjectNode> decode(StoredReply stored) {
            if (!stored.protocol().equals(PROTOCOL)) {
                return Optional.empty();
            }
            try {
                return Optional.of((ObjectNode) json.readTree(stored.bytes()));
            } catch (java.io.IOException | ClassCastException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * An allowed check: {@code decision}, {@code decision_id}, {@code tool}, {@code action}, {@code args_sha256},
     * {@code obligations}, {@code report_within_seconds}, and for a fallback call the request to make instead.
     */
    private ObjectNode allowed(ToolCall call) {
        ObjectNode doc = json.createObjectNode();
        doc.put("decision", "allow");
        doc.put("decision_id", call.id());
        doc.put("tool", call.action().map(a -> a.tool().name()).orElse(call.tool()));
        doc.put("action", call.action().map(a -> a.action().name()).orElse(null));
        doc.put("args_sha256", call.action().map(a -> a.argsSha256()).orElse(null));
        call.decision().ifPresent(dec -> {
            var redact = doc.putObject("obligations").putArray("redact");
            dec.redact().forEach(redact::add);
        });
        doc.put("report_within_seconds", leaseSeconds);
        call.degradation().ifPresent(d -> {
            // the caller performs the call itself: it must call the fallback, the way the stages decided it
            doc.put("method", call.invocation().method());
            doc.put("path", call.invocation().path());
        });
        return ProblemDocuments.degradation(doc, call);
    }
}
