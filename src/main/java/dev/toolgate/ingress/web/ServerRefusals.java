package dev.toolgate.ingress.web;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.toolgate.call.CallIds;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Reason;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.forward.HttpReply;
import dev.toolgate.pipeline.Pipeline;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * What the HTTP server refuses before any toolgate route decides: a body whose {@code Content-Length} is over
 * {@code quarkus.http.limits.max-body-size}, a request target with a backslash, a control or non-ASCII character or a
 * malformed percent-escape, a request the router fails (no route: 404; another method: 405; a bad authority: 400), and
 * a failure no route's own handler answered. Each is answered as a problem document with a reason and a decision id,
 * and recorded like every refusal before the stages ({@link Pipeline#refuse}): counted, and audited as a
 * {@code denied} record of protocol {@code http} with no principal (the caller is not identified: nothing of such a
 * request is trusted) and no tool.
 * <p>
 * Requests Netty cannot parse (a request line or header section past the decoder's limits, a malformed request
 * line) never reach a route: {@link ServerLimits} keeps the decoder's limits above the configured ones, so that a
 * request over a configured limit is refused here, as a problem.
 */
@ApplicationScoped
public class ServerRefusals {

    /** Before Quarkus' own body limit ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT}, -2), which answers empty. */
    static final int SCREEN_ORDER = -3;
    /** After every toolgate route, before Quarkus' last-route error handler (which answers a bare status). */
    static final int FAILURE_ORDER = 50_000;

    private final Pipeline pipeline;
    private final HttpAnswers answers;
    private final ServerLimits limits;
    private volatile Router router;

    ServerRefusals(Pipeline pipeline, HttpAnswers answers, ServerLimits limits) {
        this.pipeline = pipeline;
        this.answers = answers;
        this.limits = limits;
    }

    void routes(@Observes Router router) {
        this.router = router;
        router.route().order(SCREEN_ORDER).handler(this::screen);
        router.route().order(FAILURE_ORDER).failureHandler(this::failed);
        // what the router answers itself: no route, another method, a failure nobody handled
        for (int status : new int[] { 400, 404, 405, 413, 414, 415, 431, 500 }) {
            router.errorHandler(status, this::failed);
        }
    }

    /** The first handler of every request: refuses what no route should see, else passes it on. */
    private void screen(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        Optional<Denial> refused = limits.refusal(request).or(() -> RequestTargets.problem(request));
        if (refused.isEmpty()) {
            rc.next();
            return;
        }
        if (refused.get().reason() == Reason.PAYLOAD_TOO_LARGE) {
            // the body is never read: the connection cannot carry another request
            rc.response().putHeader("Connection", "close");
            rc.response().endHandler(v -> request.connection().close());
        }
        refuse(rc, refused.get());
    }

    /** A failed request no handler answered: the problem of the status it failed with. */
    public void failed(RoutingContext rc) {
        if (rc.response().ended() || rc.response().closed()) {
            return;
        }
        if (rc.response().headWritten()) {
            rc.response().reset();
            return;
        }
        if (rc.statusCode() == 413) {
            rc.response().putHeader("Connection", "close");
        }
        if (rc.statusCode() == 405) {
            // RFC 9110 15.5.6: a 405 names the methods the resource takes
            allowed(rc.normalizedPath()).ifPresent(methods -> rc.response().putHeader("Allow", methods));
        }
        // a body handler's own (smaller) limit may be the one exceeded: the 413 names none
        refuse(rc, denialOf(rc.statusCode(), -1));
    }

    /**
     * The denial of a request failed with an HTTP status (by the router, a body handler or a handler's fault): a client
     * mistake keeps its 4xx and gets its reason; anything else is {@code gateway_error}.
     *
     * @param maxBodyBytes the body limit a 413 names; none when negative
     */
    public static Denial denialOf(int status, long maxBodyBytes) {
        return switch (status) {
            case 400 -> Denial.of(Reason.INVALID_ARGUMENTS, "the request is malformed");
            case 404 -> Denial.of(Reason.NOT_FOUND, "no resource at this path");
            case 405 -> Denial.of(Reason.METHOD_NOT_ALLOWED, "the resource does not take this method");
            case 413 -> Denial.of(Reason.PAYLOAD_TOO_LARGE, maxBodyBytes < 0 ? "the request body is too large"
                    : "the request body exceeds " + maxBodyBytes + " bytes");
            case 414 -> Denial.of(Reason.REQUEST_TOO_LARGE, "the request line is too long")
                    .with(ProblemDocuments.TOO_LARGE, ProblemDocuments.TOO_LARGE_REQUEST_LINE);
            case 415 -> Denial.of(Reason.UNSUPPORTED_MEDIA_TYPE, "the body's media type is not accepted here");
            case 431 -> Denial.of(Reason.REQUEST_TOO_LARGE, "the request's header fields are too large")
                    .with(ProblemDocuments.TOO_LARGE, ProblemDocuments.TOO_LARGE_HEADERS);
            default -> Denial.of(Reason.GATEWAY_ERROR, "the gateway could not handle the request");
        };
    }

    /** The methods the routes at {@code path} take (routes with a path template; regex routes take every method). */
    private Optional<String> allowed(String path) {
        java.util.Set<String> methods = new java.util.TreeSet<>();
        for (Route route : router.getRoutes()) {
            String template = route.getPath();
            if (template != null && !route.isRegexPath() && route.methods() != null
                    && path.matches(template.replaceAll(":[A-Za-z0-9_]+", "[^/]+"))) {
                route.methods().forEach(m -> methods.add(m.name()));
            }
        }
        return methods.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", methods));
    }

    /** Records the refusal like any refusal before the stages, then answers its problem document. */
    private void refuse(RoutingContext rc, Denial denial) {
        HttpServerRequest request = rc.request();
        ToolCall probe = ToolCall.received(CallIds.next(), Protocol.HTTP, "",
                new Invocation(request.method().name(), "/", Map.of(), new byte[0]),
                new Secret(request.getHeader("Authorization")), "", Mode.ENFORCE, Instant.now());
        pipeline.<HttpReply> refuse(probe, denial).subscribe().with(outcome -> answers.write(rc, outcome),
                fault -> answers.fault(rc, probe.id(), fault));
    }
}
