package dev.toolgate.ingress.http;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.toolgate.call.CallIds;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Reason;
import dev.toolgate.call.Secret;
import dev.toolgate.call.StrictJson;
import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.forward.HttpForwarder;
import dev.toolgate.forward.HttpReply;
import dev.toolgate.ingress.web.CallHeaders;
import dev.toolgate.ingress.web.HttpAnswers;
import dev.toolgate.ingress.web.Query;
import dev.toolgate.ingress.web.ServerRefusals;
import dev.toolgate.pipeline.Outcome;
import dev.toolgate.pipeline.Pipeline;
import dev.toolgate.pipeline.Upstream;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The HTTP ingress: {@code /tools/{tool}/{rest}} becomes a {@link ToolCall}, and the pipeline's {@link Outcome}
 * becomes the answer. The tool and the path below it are taken from the raw request path, never from a normalised
 * one, so that {@code ..} or encoded separators cannot turn a call into another tool's.
 */
@ApplicationScoped
public class HttpIngress {

    static final String PREFIX = "/tools/";

    private final Pipeline pipeline;
    private final HttpForwarder forwarder;
    private final HttpAnswers answers;
    private final int maxBodyBytes;
    private final int maxKeptReplyBytes;

    HttpIngress(Pipeline pipeline, HttpForwarder forwarder, HttpAnswers answers, ToolgateConfig config) {
        this.pipeline = pipeline;
        this.forwarder = forwarder;
        this.answers = answers;
        this.maxBodyBytes = config.http().maxBodyBytes();
        this.maxKeptReplyBytes = config.idempotency().maxReplyBytes();
    }

    void routes(@Observes Router router) {
        router.route().pathRegex("/tools/.*")
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::handle)
                .failureHandler(this::failure);
    }

    private void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String path = request.path();
        if (!path.startsWith(PREFIX)) {
            // the router matched a normalised path; the raw one does not address a tool
            refuse(rc, received(request, "", "/", Buffer.buffer()),
                    Denial.of(Reason.INVALID_ARGUMENTS, "the path must be /tools/{tool}/{path}"));
            return;
        }
        String tool = toolOf(path);
        String below = path.substring(PREFIX.length() + tool.length());
        String rest = below.isEmpty() ? "/" : below;
        Buffer body = rc.body().buffer() == null ? Buffer.buffer() : rc.body().buffer();
        ToolCall call = received(request, tool, rest, body);

        Optional<Denial> bad = badHeaders(request, body);
        if (bad.isPresent()) {
            refuse(rc, call, bad.get());
            return;
        }
        Upstream<HttpReply> upstream = new HttpUpstream(forwarder,
                request.remoteAddress() == null ? null : request.remoteAddress().hostAddress(),
                request.headers().entries(), body, maxKeptReplyBytes);
        pipeline.handle(call, upstream).subscribe().with(outcome -> answers.write(rc, outcome),
                fault -> answers.fault(rc, call.id(), fault));
    }

    /** The first segment below /tools/, still percent-encoded: an encoded name never matches a tool. */
    private static String toolOf(String path) {
        if (!path.startsWith(PREFIX)) {
            return "";
        }
        int slash = path.indexOf('/', PREFIX.length());
        return slash < 0 ? path.substring(PREFIX.length()) : path.substring(PREFIX.length(), slash);
    }

    private ToolCall received(HttpServerRequest request, String tool, String rest, Buffer body) {
        Map<String, List<String>> query = Query.parse(request.query()).orElse(Map.of());
        return ToolCall.received(CallIds.next(), Protocol.HTTP, tool,
                new Invocation(request.method().name(), rest, query, body.getBytes()),
                new Secret(request.getHeader("Authorization")), CallHeaders.runId(request.headers()),
                CallHeaders.mode(request.headers()), Instant.now())
                .withRequestOptions(Optional.ofNullable(request.getHeader(CallHeaders.APPROVAL)),
                        Optional.ofNullable(request.getHeader(CallHeaders.IDEMPOTENCY_KEY)))
                .withTrace(CallHeaders.trace(request.headers()));
    }

    /** What the ingress refuses before the stages: malformed headers, a query it cannot decode, a non-JSON body. */
    private static Optional<Denial> badHeaders(HttpServerRequest request, Buffer body) {
        Optional<Denial> headers = CallHeaders.problem(request.headers());
        if (headers.isPresent()) {
            return headers;
        }
        if (Query.parse(request.query()).isEmpty()) {
            return Optional.of(Denial.of(Reason.INVALID_ARGUMENTS, "the query string is not validly encoded"));
        }
        // the body itself is read by the contract stage, with the same strict reader
        return body.length() > 0 ? StrictJson.mediaType(request.getHeader("Content-Type")) : Optional.empty();
    }

    private void refuse(RoutingContext rc, ToolCall call, Denial denial) {
        Uni<Outcome<HttpReply>> refused = pipeline.refuse(call, denial);
        refused.subscribe().with(outcome -> answers.write(rc, outcome), fault -> answers.fault(rc, call.id(), fault));
    }

    /**
     * Body over the limit (BodyHandler fails with 413), a request the router fails (400, 404, 405), or a fault in a
     * handler (500): never a stack trace, and a client's mistake is never a 500.
     */
    private void failure(RoutingContext rc) {
        if (rc.response().headWritten()) {
            rc.response().reset();
            return;
        }
        HttpServerRequest request = rc.request();
        ToolCall call = received(request, toolOf(request.path()), "/", Buffer.buffer());
        refuse(rc, call, ServerRefusals.denialOf(rc.statusCode(), maxBodyBytes));
    }
}
