package dev.toolgate.ingress.mcp;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.ingress.web.ServerRefusals;
import dev.toolgate.pipeline.Admission;
import dev.toolgate.pipeline.Identified;
import dev.toolgate.pipeline.Pipeline;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The MCP ingress: {@code /mcp/{server}} is a Streamable HTTP endpoint in front of the MCP server the contract names
 * {@code server} ({@code kind: mcp}). This class admits a request: the caller is identified once, from
 * {@code Authorization} alone; the protocol version must be one toolgate knows; a session presented must be the
 * caller's own (the id from anybody else is answered like an unknown one, 404). What the request carries (a message,
 * the server's stream, the end of a session) is then one call of the pipeline, which alone decides whether it reaches
 * the server ({@link McpMessages}, {@link McpStreams}). Every refusal is audited.
 */
@ApplicationScoped
public class McpIngress {

    private static final Logger LOG = Logger.getLogger(McpIngress.class);

    static final String PREFIX = "/mcp/";

    /** The MCP protocol versions toolgate passes on; another in {@code MCP-Protocol-Version} is refused (400). */
    static final Set<String> VERSIONS = Set.of("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25",
            "2026-07-28");

    private final Pipeline pipeline;
    private final McpSessions sessions;
    private final McpMessages messages;
    private final McpStreams streams;
    private final McpRefusals refusals;
    private final ToolgateConfig.Mcp config;
    private final int maxBodyBytes;

    McpIngress(Pipeline pipeline, McpSessions sessions, McpMessages messages, McpStreams streams,
            McpRefusals refusals, ToolgateConfig config) {
        this.pipeline = pipeline;
        this.sessions = sessions;
        this.messages = messages;
        this.streams = streams;
        this.refusals = refusals;
        this.config = config.mcp();
        this.maxBodyBytes = config.http().maxBodyBytes();
    }

    void routes(@Observes Router router) {
        router.route().pathRegex("/mcp/.*")
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::handle)
                .failureHandler(this::failure);
    }

    private void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String server = server(request);
        ToolCall probe = McpRefusals.probe(request, server);
        if (server.isEmpty() || server.contains("/")) {
            refusals.refuse(rc, probe, 404, null, JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.TOOL_NOT_GRANTED, "the MCP endpoint is /mcp/{server}"));
            return;
        }
        HttpMethod method = request.method();
        if (method != HttpMethod.POST && method != HttpMethod.GET && method != HttpMethod.DELETE) {
            rc.response().putHeader("Allow", "GET, POST, DELETE");
            refusals.refuse(rc, probe, 405, null, JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.INVALID_ARGUMENTS, "an MCP endpoint takes POST, GET and DELETE"));
            return;
        }
        String origin = request.getHeader("Origin");
        if (origin != null && !config.allowedOrigins().orElse(List.of()).contains(origin)) {
            refusals.refuse(rc, probe, 403, null, JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.INVALID_ARGUMENTS, "requests from origin " + origin + " are not accepted"));
            return;
        }
        if (request.headers().getAll("Authorization").size() > 1) {
            refusals.refuse(rc, probe, 401, null, JsonRpc.DENIED,
                    Denial.of(Reason.UNAUTHENTICATED, "send exactly one Authorization header"));
            return;
        }
        pipeline.admit(probe).subscribe().with(admission -> {
            switch (admission) {
                case Admission.Refused r -> refusals.refuse(rc, probe, 401, null, JsonRpc.DENIED, r.denial());
                case Admission.Admitted a -> admitted(rc, a.who(), server, probe);
            }
        }, fault -> refusals.refuse(rc, probe, 500, null, JsonRpc.DENIED,
                Denial.of(Reason.GATEWAY_ERROR, "the caller could not be identified")));
    }

    /** An identified request: the version must be known, the session (if any) the caller's own. */
    private void admitted(RoutingContext rc, Identified who, String server, ToolCall probe) {
        HttpServerRequest request = rc.request();
        String version = request.getHeader("MCP-Protocol-Version");
        if (version != null && !VERSIONS.contains(version)) {
            refusals.refuse(rc, probe, 400, null, JsonRpc.INVALID_REQUEST, Denial.of(Reason.INVALID_ARGUMENTS,
                    "MCP-Protocol-Version " + version + " is not supported; supported: " + String.join(", ",
                            VERSIONS.stream().sorted().toList())));
            return;
        }
        List<String> presented = request.headers().getAll(McpRelay.SESSION);
        if (presented.size() > 1) {
            refusals.refuse(rc, probe, 400, null, JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.INVALID_ARGUMENTS, "send at most one Mcp-Session-Id header"));
            return;
        }
        Optional<String> session = presented.stream().findFirst();
        if (session.isEmpty()) {
            dispatch(new McpExchange(rc, who, server, session));
            return;
        }
        sessions.check(server, session.get(), who.principal(), config.sessionIdleTtl()).subscribe().with(
                standing -> {
                    if (standing == McpSessions.Standing.OWNED) {
                        dispatch(new McpExchange(rc, who, server, session));
                    } else {
                        refusals.refuse(rc, probe, 404, null, JsonRpc.SESSION_NOT_FOUND,
                                Denial.of(Reason.UNAUTHENTICATED,
                                        "the MCP session is unknown, expired, or not this caller's; start a new one"));
                    }
                },
                fault -> refusals.refuse(rc, probe, 503, null, JsonRpc.DENIED, Denial.of(Reason.GATEWAY_ERROR,
                        "the MCP session could not be checked")));
    }

    private void dispatch(McpExchange x) {
        switch (x.request().method().name()) {
            case "GET" -> streams.open(x);
            case "DELETE" -> streams.end(x);
            default -> messages.post(x);
        }
    }

    private static String server(HttpServerRequest request) {
        String path = request.path();
        return path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "";
    }

    /**
     * Body over the limit (BodyHandler fails with 413), a request the router fails (400, 405), or a fault in a handler:
     * never a stack trace, and a client's mistake is never a 500.
     */
    private void failure(RoutingContext rc) {
        if (rc.response().headWritten()) {
            rc.response().reset();
            return;
        }
        ToolCall call = McpRefusals.probe(rc.request(), server(rc.request()));
        Denial denial = ServerRefusals.denialOf(rc.statusCode(), maxBodyBytes);
        if (denial.reason() != Reason.GATEWAY_ERROR) {
            refusals.refuse(rc, call, rc.statusCode(), null, JsonRpc.INVALID_REQUEST, denial);
        } else {
            LOG.warnf("MCP request failed: %s", String.valueOf(rc.failure()));
            refusals.refuse(rc, call, 500, null, JsonRpc.DENIED,
                    Denial.of(Reason.GATEWAY_ERROR, "the gateway could not handle the request"));
        }
    }
}
