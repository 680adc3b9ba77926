package dev.toolgate.ingress.grpc;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.call.CallIds;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Reason;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.Usage;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.forward.UpstreamHeaders;
import dev.toolgate.ingress.web.CallHeaders;
import dev.toolgate.ingress.web.ProblemDocuments;
import dev.toolgate.ingress.web.Query;
import dev.toolgate.ingress.web.RateLimitHeaders;
import dev.toolgate.pipeline.Outcome;
import dev.toolgate.pipeline.Pipeline;
import dev.toolgate.pipeline.StoredReply;
import dev.toolgate.pipeline.Upstream;
import dev.toolgate.pipeline.UpstreamResult;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;

/**
 * Envoy/Istio external authorization ({@code envoy.service.auth.v3.Authorization/Check}): the HTTP request Envoy
 * holds becomes a call (the tool from the route's {@code toolgate_tool} context extension, the path or the host; method
 * and path name the action; the body Envoy sends is the arguments; the identity is the {@code Authorization} header, or
 * the peer's SPIFFE ID in {@code source.principal} when toolgate is told to trust it),
 * decided by the whole pipeline. Envoy forwards an allowed request itself: toolgate answers the headers to add
 * upstream (decision id, policy revision) and removes the credential and its own headers; the call's reservation is
 * settled at its estimate at once, since Envoy never reports what the tool answered. A refused request is answered by
 * Envoy with toolgate's status and problem document. Every check is answered, a fault included (500
 * {@code gateway_error}): toolgate never leaves the decision to Envoy's {@code failure_mode_allow}.
 */
@GrpcService
public class EnvoyAuthorization extends AuthorizationGrpc.AuthorizationImplBase {

    private static final Logger LOG = Logger.getLogger(EnvoyAuthorization.class);

    /** The context extension (set per route in Envoy's configuration, not by the client) that names the tool. */
    static final String TOOL_EXTENSION = "toolgate_tool";
    /** The path prefix of {@link ToolgateConfig.Envoy.ToolFrom#PATH}. */
    static final String TOOLS_PREFIX = "/tools/";
    /** Set by Envoy when it sent only the first bytes of a body ({@code allow_partial_message}). */
    static final String PARTIAL_BODY = "x-envoy-auth-partial-body";
    /** What the outcome record says of an allowed request: Envoy forwards it, toolgate never sees the answer. */
    static final String HANDED_TO_ENVOY = "handed_to_envoy";
    /** The request headers removed before Envoy forwards: the credential and toolgate's own. */
    static final List<String> REMOVED = List.of("authorization", "toolgate-run-id", "toolgate-mode",
            "toolgate-approval");

    private final Pipeline pipeline;
    private final ObjectMapper json;
    private final ToolgateConfig.Envoy.ToolFrom toolFrom;
    private final int maxBodyBytes;
    private final boolean trustPeerPrincipal;
    private final Forwarded forwarded = new Forwarded();

    EnvoyAuthorization(Pipeline pipeline, ObjectMapper json, ToolgateConfig config) {
        this.pipeline = pipeline;
        this.json = json;
        this.toolFrom = config.envoy().toolFrom();
        this.maxBodyBytes = config.http().maxBodyBytes();
        this.trustPeerPrincipal = config.envoy().trustPeerPrincipal();
    }

    @Override
    public void check(CheckRequest request, StreamObserver<CheckResponse> answer) {
        String id = CallIds.next();
        Uni<CheckResponse> decided;
        try {
            decided = decide(id, request);
        } catch (RuntimeException e) {
            decided = Uni.createFrom().failure(e);
        }
        decided.onFailure().recoverWithItem(fault -> {
            LOG.warnf("external authorization %s failed: %s", id, fault.toString());
            LOG.debug("external authorization fault", fault);
            return denied(id, "", Denial.of(Reason.GATEWAY_ERROR, "the gateway could not handle the request"),
                    Usage.NONE, Optional.empty());
        }).subscribe().with(response -> {
            answer.onNext(response);
            answer.onCompleted();
        }, answer::onError);
    }

    private Uni<CheckResponse> decide(String id, CheckRequest request) {
        AttributeContext attributes = request.getAttributes();
        AttributeContext.HttpRequest http = attributes.getRequest().getHttp();
        MultiMap headers = headers(http);
        String target = http.getPath();
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String rawQuery = q < 0 ? "" : target.substring(q + 1);
        byte[] body = http.getRawBody().isEmpty() ? http.getBody().getBytes(StandardCharsets.UTF_8)
                : http.getRawBody().toByteArray();

        Optional<Routed> routed = route(attributes, path, http.getHost());
        Optional<Map<String, List<String>>> query = Query.parse(rawQuery);
        ToolCall call = ToolCall.received(id, Protocol.HTTP, routed.map(Routed::tool).orElse(""),
                new Invocation(http.getMethod(), routed.map(Routed::path).orElse(path),
                        query.orElse(Map.of()), body),
                credential(headers, attributes.getSource()), CallHeaders.runId(headers), CallHeaders.mode(headers),
                Instant.now())
                .withRequestOptions(Optional.ofNullable(headers.get(CallHeaders.APPROVAL)),
                        Optional.ofNullable(headers.get(CallHeaders.IDEMPOTENCY_KEY)))
                .withTrace(CallHeaders.trace(headers));

        Optional<Denial> refusal = refusal(routed, headers, query.isPresent(), body);
        Uni<Outcome<String>> outcome = refusal.isPresent() ? pipeline.refuse(call, refusal.get())
                : pipeline.handle(call, forwarded);
        return outcome.map(this::answer);
    }

    /**
     * The {@code Authorization} header, and the peer's SPIFFE ID when toolgate trusts Envoy's {@code source.principal}
     * ({@code toolgate.envoy.trust-peer-principal}); never any other header.
     */
    private Secret credential(MultiMap headers, AttributeContext.Peer source) {
        String principal = source.getPrincipal();
        boolean peer = trustPeerPrincipal && dev.toolgate.call.SpiffeId.valid(principal);
        return new Secret(headers.get("authorization"), peer ? principal : "");
    }

    /** What the adapter refuses before the stages: what it cannot read as a call. */
    private Optional<Denial> refusal(Optional<Routed> routed, MultiMap headers, boolean queryRead, byte[] body) {
        if (routed.isEmpty()) {
            return Optional.of(Denial.of(Reason.NOT_FOUND, toolFrom == ToolgateConfig.Envoy.ToolFrom.PATH
                    ? "the path names no tool: /tools/{tool}/..."
                    : "the host names no tool"));
        }
        Optional<Denial> options = CallHeaders.problem(headers);
        if (options.isPresent()) {
            return options;
        }
        if ("true".equalsIgnoreCase(headers.get(PARTIAL_BODY))) {
            return Optional.of(Denial.of(Reason.PAYLOAD_TOO_LARGE,
                    "Envoy sent part of the body only (allow_partial_message): arguments are never decided in part"));
        }
        if (body.length > maxBodyBytes) {
            return Optional.of(Denial.of(Reason.PAYLOAD_TOO_LARGE, "the body is over " + maxBodyBytes + " bytes"));
        }
        if (!queryRead) {
            return Optional.of(Denial.of(Reason.INVALID_ARGUMENTS, "the query string cannot be decoded"));
        }
        return Optional.empty();
    }

    /** The tool and its path: from the route's context extension, else by {@link ToolgateConfig.Envoy#toolFrom}. */
    private Optional<Routed> route(AttributeContext attributes, String path, String host) {
        String named = attributes.getContextExtensionsMap().get(TOOL_EXTENSION);
        if (named != null && !named.isEmpty()) {
            return Optional.of(new Routed(named, path));
        }
        if (toolFrom == ToolgateConfig.Envoy.ToolFrom.HOST) {
            String name = host.contains(":") && !host.startsWith("[") ? host.substring(0, host.indexOf(':')) : host;
            int dot = name.indexOf('.');
            String tool = dot < 0 ? name : name.substring(0, dot);
            return tool.isEmpty() ? Optional.empty() : Optional.of(new Routed(tool, path));
        }
        if (!path.startsWith(TOOLS_PREFIX)) {
            return Optional.empty();
        }
        String rest = path.substring(TOOLS_PREFIX.length());
        int slash = rest.indexOf('/');
        String tool = slash < 0 ? rest : rest.substring(0, slash);
        return tool.isEmpty() ? Optional.empty() : Optional.of(new Routed(tool, slash < 0 ? "/" : rest.substring(slash)));
    }

    private record Routed(String tool, String path) {
    }

    /** The request's headers: the raw header map when Envoy sends one (every value apart), else the joined map. */
    private static MultiMap headers(AttributeContext.HttpRequest http) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (http.hasHeaderMap() && http.getHeaderMap().getHeadersCount() > 0) {
            for (HeaderValue h : http.getHeaderMap().getHeadersList()) {
                headers.add(h.getKey(), h.getRawValue().isEmpty() ? h.getValue()
                        : h.getRawValue().toString(StandardCharsets.UTF_8));
            }
        } else {
            http.getHeadersMap().forEach(headers::add);
        }
        return headers;
    }

    private CheckResponse answer(Outcome<String> outcome) {
        ToolCall call = outcome.call();
        return switch (outcome) {
            case Outcome.Answered<String> a -> allowed(call, outcome.policyRevision());
            case Outcome.Refused<String> r -> denied(call.id(), r.policyRevision(), r.denial(), call.usage(),
                    Optional.of(call));
            case Outcome.Proposed<String> p -> proposal(p);
            // a kept reply is never decoded (Forwarded#decode): a repeat of the key is refused before this
            case Outcome.Replayed<String> r -> denied(call.id(), r.policyRevision(), Denial.of(
                    Reason.IDEMPOTENCY_CONFLICT, "the call was forwarded by Envoy; its answer is not kept to replay"),
                    call.usage(), Optional.of(call));
        };
    }

    private static CheckResponse allowed(ToolCall call, String policyRevision) {
        OkHttpResponse.Builder ok = OkHttpResponse.newBuilder()
                .addHeaders(header("toolgate-decision-id", call.id()))
                .addHeaders(header("toolgate-policy-revision", policyRevision))
                .addAllHeadersToRemove(REMOVED);
        // the tool continues toolgate's trace of the call, not what the agent sent
        UpstreamHeaders.trace(call.trace()).forEach(h -> ok.addHeaders(header(h.getKey(), h.getValue())));
        return CheckResponse.newBuilder()
                .setStatus(com.google.rpc.Status.newBuilder().setCode(io.grpc.Status.Code.OK.value()))
                .setOkResponse(ok)
                .build();
    }

    private CheckResponse denied(String decisionId, String policyRevision, Denial denial, Usage usage,
            Optional<ToolCall> call) {
        var doc = ProblemDocuments.document(json, denial, decisionId);
        call.ifPresent(c -> ProblemDocuments.degradation(doc, c));
        DeniedHttpResponse.Builder denied = DeniedHttpResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCodeValue(ProblemDocuments.status(denial)))
                .addHeaders(header("content-type", ProblemDocuments.CONTENT_TYPE))
                .addHeaders(header("toolgate-decision-id", decisionId))
                .addHeaders(header("toolgate-policy-revision", policyRevision))
                .setBody(doc.toString());
        // the header fields toolgate's own HTTP answers carry with the same refusal
        ProblemDocuments.refusalHeaders(denial).forEach(h -> denied.addHeaders(header(lower(h.getKey()), h.getValue())));
        RateLimitHeaders.fields(usage).forEach(h -> denied.addHeaders(header(lower(h.getKey()), h.getValue())));
        return CheckResponse.newBuilder()
                .setStatus(com.google.rpc.Status.newBuilder().setCode(GrpcRefusals.code(denial.reason()).value())
                        .setMessage(denial.reason().code()))
                .setDeniedResponse(denied)
                .build();
    }

    /** A dry run: nothing may reach the tool, so Envoy answers the proposal itself (200). */
    private CheckResponse proposal(Outcome.Proposed<String> proposed) {
        DeniedHttpResponse.Builder answered = DeniedHttpResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCode(StatusCode.OK))
                .addHeaders(header("content-type", "application/json"))
                .addHeaders(header("toolgate-decision-id", proposed.call().id()))
                .addHeaders(header("toolgate-policy-revision", proposed.policyRevision()))
                .setBody(ProblemDocuments.proposal(json, proposed).toString());
        return CheckResponse.newBuilder()
                .setStatus(com.google.rpc.Status.newBuilder().setCode(io.grpc.Status.Code.PERMISSION_DENIED.value())
                        .setMessage("dry-run"))
                .setDeniedResponse(answered)
                .build();
    }

    private static String lower(String name) {
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    private static HeaderValueOption header(String name, String value) {
        return HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
                .build();
    }

    /**
     * The "upstream" of an external authorization: Envoy forwards the request once toolgate allows it. The call is
     * settled at its estimate at once (Envoy reports nothing back) and its outcome recorded as
     * {@value #HANDED_TO_ENVOY}. Its answer is never seen, so it is never replayed: a repeat of an idempotency key is
     * refused, and the tool is not called twice.
     */
    private static final class Forwarded implements Upstream<String> {

        private static final String PROTOCOL = "envoy";
        private static final StoredReply KEPT = new StoredReply(PROTOCOL, new byte[0]);

        @Override
        public Uni<UpstreamResult<String>> send(ToolCall call) {
            if (call.degradation().isPresent()) {
                // Envoy forwards the request it holds, to the route it chose: it cannot make the fallback call
                return Uni.createFrom().item(new UpstreamResult.Failed<>(Denial.of(Reason.BUDGET_EXCEEDED,
                        "the call is over its budget, and its fallback (" + call.tool()
                                + ") cannot be made through Envoy's route"),
                        UpstreamResult.Delivery.NOT_SENT));
            }
            return Uni.createFrom().item(new UpstreamResult.Replied<>(HANDED_TO_ENVOY, HANDED_TO_ENVOY));
        }

        @Override
        public Optional<StoredReply> encode(String reply) {
            return Optional.of(KEPT);
        }

        @Override
        public Optional<String> decode(StoredReply stored) {
            return Optional.empty();
        }
    }
}
