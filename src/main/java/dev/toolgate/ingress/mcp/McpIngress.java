package dev.toolgate.ingress.mcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.CallIds;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Reason;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.ingress.http.Problems;
import dev.toolgate.pipeline.Active;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.Outcome;
import dev.toolgate.pipeline.Pipeline;
import dev.toolgate.pipeline.StageResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The MCP ingress: {@code /mcp/{server}} is a Streamable HTTP endpoint in front of the MCP server the contract names
 * {@code server} ({@code kind: mcp}).
 * <ul>
 * <li>Every request is identified from {@code Authorization} alone, and the server must be granted to the agent
 * (else 404, as for a server that does not exist).</li>
 * <li>A session the server opens ({@code Mcp-Session-Id} of the {@code initialize} answer) is bound to the principal
 * that opened it; the id from anybody else is answered like an unknown one (404).</li>
 * <li>{@code tools/call} goes through the pipeline like an HTTP call; {@code tools/list} answers only what the caller
 * may call ({@link Pipeline#visible}); resources and prompts need their own grant; {@code initialize}, {@code ping},
 * logging, tasks, notifications and responses pass; any other method is refused.</li>
 * </ul>
 * Faults of the transport (identity, server, session, protocol version, a body that is not one JSON-RPC message) are
 * HTTP errors with a JSON-RPC error body; a refused method is a JSON-RPC error; a refused tool call is a
 * {@code CallToolResult} with {@code isError: true}. Every refusal is audited.
 */
@ApplicationScoped
public class McpIngress {

    private static final Logger LOG = Logger.getLogger(McpIngress.class);

    static final String PREFIX = "/mcp/";

    /** The MCP protocol versions toolgate passes on; another in {@code MCP-Protocol-Version} is refused (400). */
    static final Set<String> VERSIONS = Set.of("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25",
            "2026-07-28");

    /** Methods passed to the server as they are, for anybody granted the server. */
    private static final Set<String> PASSED = Set.of("ping", "logging/setLevel", "server/discover", "tasks/get",
            "tasks/list", "tasks/result", "tasks/cancel");

    private final Pipeline pipeline;
    private final Active active;
    private final McpRelay relay;
    private final McpSessions sessions;
    private final McpSchemas schemas;
    private final MeterRegistry meters;
    private final ToolgateConfig.Mcp config;
    private final int maxBodyBytes;
    private final int maxKeptReplyBytes;

    McpIngress(Pipeline pipeline, Active active, McpRelay relay, McpSessions sessions, McpSchemas schemas,
            MeterRegistry meters, ToolgateConfig config) {
        this.pipeline = pipeline;
        this.active = active;
        this.relay = relay;
        this.sessions = sessions;
        this.schemas = schemas;
        this.meters = meters;
        this.config = config.mcp();
        this.maxBodyBytes = config.http().maxBodyBytes();
        this.maxKeptReplyBytes = config.idempotency().maxReplyBytes();
    }

    void routes(@Observes Router router) {
        router.route().pathRegex("/mcp/.*")
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::handle)
                .failureHandler(this::failure);
    }

    /** One request on its way: who sent it, to which server, in which session. */
    private record Exchange(RoutingContext rc, ToolCall probe, Principal principal, ToolSpec server,
            Optional<String> session, CallContext ctx) {

        HttpServerRequest request() {
            return rc.request();
        }

        HttpServerResponse response() {
            return rc.response();
        }
    }

    private void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String path = request.path();
        String server = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "";
        ToolCall probe = received(request, server, request.method().name(), "/", new byte[0]);
        if (server.isEmpty() || server.contains("/")) {
            refuse(rc, probe, 404, null, JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.TOOL_NOT_GRANTED, "the MCP endpoint is /mcp/{server}"));
            return;
        }
        HttpMethod method = request.method();
        if (method != HttpMethod.POST && method != HttpMethod.GET && method != HttpMethod.DELETE) {
            rc.response().putHeader("Allow", "GET, POST, DELETE");
            refuse(rc, probe, 405, null, JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.INVALID_ARGUMENTS, "an MCP endpoint takes POST, GET and DELETE"));
            return;
        }
        String origin = request.getHeader("Origin");
        if (origin != null && !config.allowedOrigins().orElse(List.of()).contains(origin)) {
            refuse(rc, probe, 403, null, JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.INVALID_ARGUMENTS, "requests from origin " + origin + " are not accepted"));
            return;
        }
        if (request.headers().getAll("Authorization").size() > 1) {
            refuse(rc, probe, 401, null, JsonRpc.DENIED,
                    Denial.of(Reason.UNAUTHENTICATED, "send exactly one Authorization header"));
            return;
        }
        pipeline.identify(probe).subscribe().with(identified -> {
            if (!(identified instanceof StageResult.Continue c) || c.call().principal().isEmpty()) {
                Denial denial = identified instanceof StageResult.Deny d ? d.denial()
                        : Denial.of(Reason.UNAUTHENTICATED, "the caller could not be identified");
                refuse(rc, probe, 401, null, JsonRpc.DENIED, denial);
                return;
            }
            admitted(rc, c.call());
        });
    }

    /** An identified request: the server must be granted, the version known, the session the caller's own. */
    private void admitted(RoutingContext rc, ToolCall probe) {
        Principal principal = probe.principal().orElseThrow();
        CallContext ctx = active.snapshot();
        Contract contract = ctx.contract();
        Optional<ToolSpec> server = contract.tool(probe.tool())
                .filter(t -> t.kind() == ToolSpec.Kind.MCP && contract.grantsAnyOf(principal.agent(), t.name()));
        if (server.isEmpty()) {
            refuse(rc, probe, 404, null, JsonRpc.DENIED, Denial.of(Reason.TOOL_NOT_GRANTED,
                    "agent " + principal.agent() + " has no MCP server " + probe.tool()));
            return;
        }
        HttpServerRequest request = rc.request();
        String version = request.getHeader("MCP-Protocol-Version");
        if (version != null && !VERSIONS.contains(version)) {
            refuse(rc, probe, 400, null, JsonRpc.INVALID_REQUEST, Denial.of(Reason.INVALID_ARGUMENTS,
                    "MCP-Protocol-Version " + version + " is not supported; supported: " + String.join(", ",
                            VERSIONS.stream().sorted().toList())));
            return;
        }
        List<String> presented = request.headers().getAll(McpRelay.SESSION);
        if (presented.size() > 1) {
            refuse(rc, probe, 400, null, JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.INVALID_ARGUMENTS, "send at most one Mcp-Session-Id header"));
            return;
        }
        Optional<String> session = presented.stream().findFirst();
        if (session.isEmpty()) {
            dispatch(new Exchange(rc, probe, principal, server.get(), session, ctx));
            return;
        }
        sessions.check(server.get().name(), session.get(), principal, config.sessionIdleTtl()).subscribe().with(
                standing -> {
                    if (standing == McpSessions.Standing.OWNED) {
                        dispatch(new Exchange(rc, probe, principal, server.get(), session, ctx));
                    } else {
                        refuse(rc, probe, 404, null, JsonRpc.SESSION_NOT_FOUND, Denial.of(Reason.UNAUTHENTICATED,
                                "the MCP session is unknown, expired, or not this caller's; start a new one"));
                    }
                },
                fault -> refuse(rc, probe, 503, null, JsonRpc.DENIED, Denial.of(Reason.GATEWAY_ERROR,
                        "the MCP session could not be checked")));
    }

    private void dispatch(Exchange x) {
        switch (x.request().method().name()) {
            case "GET" -> stream(x);
            case "DELETE" -> end(x);
            default -> post(x);
        }
    }

    /** {@code GET}: the server's stream of its own requests and notifications, passed through for as long as it runs. */
    private void stream(Exchange x) {
        relay.send(x.server(), HttpMethod.GET, x.request().headers(), Map.of(), null, null, x.response())
                .onFailure(fault -> {
                    if (!(fault instanceof McpRelay.AgentGone)) {
                        unreachable(x, null, fault);
                    }
                })
                .onSuccess(exchange -> {
                    if (exchange.response().statusCode() / 100 != 2) {
                        refusedByServer(x, exchange, null);
                        return;
                    }
                    McpRelay.head(exchange, x.response(), false);
                    relay.stream(exchange, x.response(), McpRelay::none)
                            .onComplete(done -> endQuietly(x.response()));
                });
    }

    /** {@code DELETE}: the caller ends its session; the binding goes once the server has let it go. */
    private void end(Exchange x) {
        if (x.session().isEmpty()) {
            refuse(x.rc(), x.probe(), 400, null, JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.INVALID_ARGUMENTS, "DELETE ends a session: send its Mcp-Session-Id"));
            return;
        }
        relay.send(x.server(), HttpMethod.DELETE, x.request().headers(), Map.of(), null,
                x.server().requestTimeout())
                .onFailure(fault -> unreachable(x, null, fault))
                .onSuccess(exchange -> relay.collect(exchange).onComplete(body -> {
                    int status = exchange.response().statusCode();
                    Uni<Void> forget = status / 100 == 2 || status == 404
                            ? sessions.end(x.server().name(), x.session().get(), x.principal())
                            : Uni.createFrom().voidItem();
                    forget.onFailure().recoverWithNull().subscribe().with(v -> {
                        if (status / 100 != 2) {
                            refusedByServer(x, exchange, null);
                            return;
                        }
                        McpRelay.head(exchange, x.response(), false);
                        x.response().end(body.succeeded() ? body.result() : Buffer.buffer());
                    });
                }));
    }

    /** {@code POST}: one JSON-RPC message. */
    private void post(Exchange x) {
        HttpServerRequest request = x.request();
        Buffer body = x.rc().body().buffer() == null ? Buffer.buffer() : x.rc().body().buffer();
        String type = request.getHeader("Content-Type");
        if (type == null || !type.split(";", 2)[0].strip().equalsIgnoreCase("application/json")) {
            refuse(x.rc(), x.probe(), 415, null, JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.INVALID_ARGUMENTS, "an MCP message is POSTed as application/json"));
            return;
        }
        JsonRpc.Message message;
        switch (JsonRpc.parse(body.getBytes())) {
            case JsonRpc.Parsed.Bad bad -> {
                refuse(x.rc(), x.probe(), 400, null, bad.code(), Denial.of(Reason.INVALID_ARGUMENTS, bad.why()));
                return;
            }
            case JsonRpc.Parsed.Ok ok -> message = ok.message();
        }
        Optional<String> mismatch = routingMismatch(request, message);
        if (mismatch.isPresent()) {
            refuse(x.rc(), x.probe(), 400, message.id(), JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.INVALID_ARGUMENTS, mismatch.get()));
            return;
        }
        count(x, message);
        if (message.kind() != JsonRpc.Kind.REQUEST) {
            pass(x, message, body);
            return;
        }
        Contract contract = x.ctx().contract();
        String agent = x.principal().agent();
        String server = x.server().name();
        String method = message.method();
        switch (method) {
            case "initialize" -> transformed(x, message, body, answer -> Uni.createFrom().item(initialized(x, answer)));
            case "tools/list" -> transformed(x, message, body, answer -> listed(x, answer));
            case ActionSpec.MCP_METHOD -> call(x, message);
            default -> {
                Optional<String> grant = grantNeeded(method, message.params());
                if (PASSED.contains(method)
                        || grant.isPresent() && contract.grantedMcp(agent, server, grant.get())) {
                    pass(x, message, body);
                } else {
                    String detail = grant.isPresent()
                            ? "agent " + agent + " has no grant of " + grant.get() + " on MCP server " + server
                            : "method " + method + " is not passed to MCP servers";
                    answerRefused(x, message, grant.isPresent() ? JsonRpc.DENIED : JsonRpc.METHOD_NOT_FOUND,
                            Denial.of(Reason.TOOL_NOT_GRANTED, detail));
                }
            }
        }
    }

    /** The grant a resources or prompts method needs: {@code resources/*} or {@code prompts/*}; empty for others. */
    static Optional<String> grantNeeded(String method, ObjectNode params) {
        if (method.startsWith("resources/")) {
            return Optional.of(Contract.RESOURCES);
        }
        if (method.startsWith("prompts/")) {
            return Optional.of(Contract.PROMPTS);
        }
        if (method.equals("completion/complete")) {
            String ref = params == null ? "" : params.path("ref").path("type").asText("");
            return switch (ref) {
                case "ref/prompt" -> Optional.of(Contract.PROMPTS);
                case "ref/resource" -> Optional.of(Contract.RESOURCES);
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }

    /**
     * The {@code Mcp-Method} and {@code Mcp-Name} headers (MCP 2026-07-28), when sent, must say what the body says: a
     * gateway routing on one and a server acting on the other would be two readings of one request.
     */
    static Optional<String> routingMismatch(HttpServerRequest request, JsonRpc.Message message) {
        String method = request.getHeader("Mcp-Method");
        if (method != null && !method.equals(message.method())) {
            return Optional.of("the Mcp-Method header does not match the message's method");
        }
        String name = request.getHeader("Mcp-Name");
        if (name != null) {
            ObjectNode params = message.params();
            JsonNode named = params == null ? null : params.has("name") ? params.get("name") : params.get("uri");
            if (named == null || !named.isTextual() || !named.textValue().equals(name)) {
                return Optional.of("the Mcp-Name header does not match the message's name");
            }
        }
        return Optional.empty();
    }

    // --- tools/call -----------------------------------------------------------------------------------------------

    private void call(Exchange x, JsonRpc.Message message) {
        ObjectNode params = message.params();
        JsonNode name = params == null ? null : params.get("name");
        if (name == null || !name.isTextual() || name.textValue().isEmpty()) {
            refuse(x.rc(), x.probe(), 200, message.id(), JsonRpc.INVALID_PARAMS,
                    Denial.of(Reason.INVALID_ARGUMENTS, "tools/call needs params.name, a tool name"));
            return;
        }
        byte[] arguments = params.has("arguments") ? bytes(params.get("arguments")) : new byte[0];
        McpOptions options;
        switch (McpOptions.read(params, x.request().headers())) {
            case McpOptions.Read.Bad bad -> {
                ToolCall call = received(x.request(), x.server().name(), ActionSpec.MCP_METHOD, name.textValue(),
                        arguments);
                pipeline.<McpReply> refuse(call, Denial.of(Reason.INVALID_ARGUMENTS, bad.why())).subscribe()
                        .with(outcome -> McpAnswers.write(x.response(), outcome, message.id()));
                return;
            }
            case McpOptions.Read.Ok ok -> options = ok.options();
        }
        ToolCall call = ToolCall.received(CallIds.next(), Protocol.MCP, x.server().name(),
                new Invocation(ActionSpec.MCP_METHOD, name.textValue(), Map.of(), arguments),
                x.probe().credential(), options.runId(), options.mode(), Instant.now())
                .withRequestOptions(options.approval(), options.idempotencyKey());
        McpUpstream upstream = new McpUpstream(relay, x.server(), message, x.request().headers(), x.response(),
                x.ctx().policyRevision(), maxKeptReplyBytes);
        pipeline.handle(call, schemas.of(x.request().headers()), upstream).subscribe()
                .with(outcome -> McpAnswers.write(x.response(), outcome, message.id()));
    }

    // --- tools/list and initialize ------------------------------------------------------------------------------

    /** The tools of one {@code tools/list} page the caller may call, in the server's order; its cursor kept. */
    private Uni<JsonNode> listed(Exchange x, JsonNode answer) {
        JsonNode tools = answer.path("result").path("tools");
        if (!answer.has("result")) {
            return Uni.createFrom().item(answer);
        }
        if (!tools.isArray()) {
            return Uni.createFrom().item(McpAnswers.denied(answer.get("id"), Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                    "the MCP server's tools/list answer has no tools list"), x.probe().id()));
        }
        schemas.learn(x.server().name(), tools);
        List<ToolCall> candidates = new ArrayList<>();
        for (JsonNode tool : tools) {
            JsonNode name = tool.get("name");
            if (name != null && name.isTextual()) {
                candidates.add(ToolCall.received(x.probe().id(), Protocol.MCP, x.server().name(),
                        new Invocation(ActionSpec.MCP_METHOD, name.textValue(), Map.of(), new byte[0]),
                        Secret.NONE, "", Mode.LIST, x.probe().receivedAt()).withPrincipal(x.principal()));
            }
        }
        return pipeline.visible(candidates).map(shown -> {
            Set<String> names = new HashSet<>();
            shown.forEach(call -> names.add(call.invocation().path()));
            ArrayNode kept = JsonRpc.JSON.createArrayNode();
            for (JsonNode tool : tools) {
                if (tool.path("name").isTextual() && names.contains(tool.path("name").textValue())) {
                    kept.add(tool);
                }
            }
            ObjectNode filtered = answer.deepCopy();
            ((ObjectNode) filtered.get("result")).set("tools", kept);
            return filtered;
        });
    }

    /** The server's capabilities less the resources and prompts the caller has no grant of. */
    private JsonNode initialized(Exchange x, JsonNode answer) {
        JsonNode capabilities = answer.path("result").path("capabilities");
        if (!(capabilities instanceof ObjectNode)) {
            return answer;
        }
        ObjectNode filtered = answer.deepCopy();
        ObjectNode caps = (ObjectNode) filtered.get("result").get("capabilities");
        Contract contract = x.ctx().contract();
        if (!contract.grantedMcp(x.principal().agent(), x.server().name(), Contract.RESOURCES)) {
            caps.remove("resources");
        }
        if (!contract.grantedMcp(x.principal().agent(), x.server().name(), Contract.PROMPTS)) {
            caps.remove("prompts");
        }
        return filtered;
    }

    /**
     * Forwards a request whose answer toolgate rewrites ({@code initialize}, {@code tools/list}): the answer is read
     * whole (JSON, or every event of a stream), the response to this request rewritten, everything else kept. The
     * session an {@code initialize} opens is bound to the caller before the caller learns its id.
     */
    private void transformed(Exchange x, JsonRpc.Message message, Buffer body, Function<JsonNode, Uni<JsonNode>> rewrite) {
        boolean opening = message.method().equals("initialize");
        relay.send(x.server(), HttpMethod.POST, x.request().headers(), postHeaders(x), body,
                x.server().requestTimeout())
                .onFailure(fault -> unreachable(x, message, fault))
                .onSuccess(exchange -> relay.collectAnswer(exchange, message.id())
                        .onFailure(fault -> unreachable(x, message, fault))
                        .onSuccess(whole -> {
                            int status = exchange.response().statusCode();
                            String opened = exchange.response().getHeader(McpRelay.SESSION);
                            Uni<Buffer> answer = Uni.createFrom()
                                    .deferred(() -> rewritten(exchange, whole, message.id(), rewrite));
                            Uni<Boolean> bound = opening && status / 100 == 2 && opened != null
                                    ? sessions.bind(x.server().name(), opened, x.principal(), config.sessionIdleTtl())
                                            .replaceWith(true)
                                    : Uni.createFrom().item(false);
                            if (status / 100 != 2) {
                                refusedByServer(x, exchange, message.id());
                                return;
                            }
                            bound.chain(passSession -> answer.map(b -> Map.entry(passSession, b))).subscribe().with(
                                    done -> {
                                        McpRelay.head(exchange, x.response(), done.getKey());
                                        x.response().end(done.getValue());
                                    },
                                    fault -> {
                                        LOG.warnf("MCP server %s: %s failed: %s", x.server().name(), message.method(),
                                                fault.toString());
                                        answerRefused(x, message, JsonRpc.DENIED, Denial.of(Reason.GATEWAY_ERROR,
                                                "the gateway could not complete " + message.method()));
                                    });
                        }));
    }

    /** The answer with the response to {@code id} rewritten, as JSON or as the same stream of events. */
    private Uni<Buffer> rewritten(McpRelay.Exchange exchange, Buffer whole, JsonNode id,
            Function<JsonNode, Uni<JsonNode>> rewrite) {
        if (!exchange.isStream()) {
            JsonNode node = McpUpstream.parse(whole.toString(StandardCharsets.UTF_8));
            return JsonRpc.answers(node, id) ? rewrite.apply(node).map(n -> Buffer.buffer(n.toString()))
                    : Uni.createFrom().item(whole);
        }
        Uni<Buffer> out = Uni.createFrom().item(Buffer.buffer());
        for (SseEvents.Event event : SseEvents.all(whole.getBytes(), relay.maxAnswerBytes())) {
            JsonNode node = McpUpstream.parse(event.data());
            if (JsonRpc.answers(node, id)) {
                out = out.chain(b -> rewrite.apply(node)
                        .map(n -> b.appendBytes(SseEvents.event(n.toString(), event.id()))));
            } else {
                out = out.map(b -> b.appendBytes(event.raw()));
            }
        }
        return out;
    }

    // --- passing on ---------------------------------------------------------------------------------------------

    /** Forwards a message whose answer toolgate passes on as it comes (streamed when the server streams). */
    private void pass(Exchange x, JsonRpc.Message message, Buffer body) {
        relay.send(x.server(), HttpMethod.POST, x.request().headers(), postHeaders(x), body,
                x.server().requestTimeout())
                .onFailure(fault -> unreachable(x, message, fault))
                .onSuccess(exchange -> {
                    if (exchange.response().statusCode() / 100 != 2) {
                        refusedByServer(x, exchange, message.kind() == JsonRpc.Kind.REQUEST ? message.id() : null);
                        return;
                    }
                    McpRelay.head(exchange, x.response(), false);
                    if (exchange.isStream()) {
                        relay.stream(exchange, x.response(), McpRelay::none)
                                .onComplete(done -> endQuietly(x.response()));
                    } else {
                        relay.collect(exchange).onComplete(whole -> {
                            if (whole.succeeded()) {
                                x.response().end(whole.result());
                            } else {
                                x.response().reset();
                            }
                        });
                    }
                });
    }

    private static Map<String, String> postHeaders(Exchange x) {
        Map<String, String> extra = new HashMap<>();
        extra.put("Content-Type", "application/json");
        if (x.request().getHeader("Accept") == null) {
            extra.put("Accept", "application/json, text/event-stream");
        }
        return extra;
    }

    /**
     * The server answered with an HTTP error. Its body is not passed on (an SDK server may put its stack trace there):
     * the status stays, with a JSON-RPC error of toolgate's; a 404 tells the caller the server forgot the session.
     */
    private void refusedByServer(Exchange x, McpRelay.Exchange exchange, JsonNode id) {
        exchange.request().reset();
        exchange.done();
        int status = exchange.response().statusCode();
        HttpServerResponse response = x.response();
        String allow = exchange.response().getHeader("Allow");
        if (allow != null) {
            response.putHeader("Allow", allow);
        }
        response.setStatusCode(status);
        response.putHeader("Toolgate-Decision-Id", x.probe().id());
        Denial denial = status == 404
                ? Denial.of(Reason.UPSTREAM_UNAVAILABLE, "MCP server " + x.server().name()
                        + " does not know this session; start a new one")
                : Denial.of(Reason.UPSTREAM_UNAVAILABLE, "MCP server " + x.server().name() + " answered HTTP "
                        + status);
        ObjectNode problem = Problems.document(JsonRpc.JSON, denial, x.probe().id());
        problem.put("status", status);
        McpAnswers.json(response, JsonRpc.error(id, status == 404 ? JsonRpc.SESSION_NOT_FOUND : JsonRpc.DENIED,
                denial.detail(), Optional.of(problem)));
    }

    /** The server could not be reached, or did not answer in time. */
    private void unreachable(Exchange x, JsonRpc.Message message, Throwable fault) {
        LOG.debugf("MCP server %s: %s", x.server().name(), fault.toString());
        Denial denial = fault instanceof McpRelay.UpstreamTimeout
                ? Denial.of(Reason.UPSTREAM_TIMEOUT, "MCP server " + x.server().name() + " did not answer in time")
                : fault instanceof McpRelay.AnswerTooLarge
                        ? Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                                "MCP server " + x.server().name() + " answered more than the gateway accepts")
                        : Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                                "MCP server " + x.server().name() + " could not be reached");
        if (message != null && message.kind() == JsonRpc.Kind.REQUEST) {
            answerRefused(x, message, JsonRpc.DENIED, denial);
        } else {
            refuse(x.rc(), x.probe(), denial.reason() == Reason.UPSTREAM_TIMEOUT ? 504 : 502, null, JsonRpc.DENIED,
                    denial);
        }
    }

    // --- refusals -----------------------------------------------------------------------------------------------

    /** Refuses a request as a JSON-RPC error answer (HTTP 200) to the message, audited. */
    private void answerRefused(Exchange x, JsonRpc.Message message, int code, Denial denial) {
        ToolCall call = received(x.request(), x.server().name(), message.method(), "/", new byte[0]);
        refuse(x.rc(), call, 200, message.id(), code, denial);
    }

    /** Audits the refusal, then answers {@code status} with a JSON-RPC error whose data is the problem document. */
    private void refuse(RoutingContext rc, ToolCall call, int status, JsonNode id, int code, Denial denial) {
        pipeline.<McpReply> refuse(call, denial).subscribe().with(outcome -> {
            HttpServerResponse response = rc.response();
            if (response.ended() || response.closed()) {
                return;
            }
            Denial recorded = outcome instanceof Outcome.Refused<McpReply> r ? r.denial() : denial;
            response.setStatusCode(status);
            response.putHeader("Toolgate-Decision-Id", call.id());
            response.putHeader("Toolgate-Policy-Revision", outcome.policyRevision());
            if (recorded.reason() == Reason.UNAUTHENTICATED && status == 401) {
                response.putHeader("WWW-Authenticate", "Bearer realm=\"toolgate\"");
            }
            ObjectNode problem = Problems.document(JsonRpc.JSON, recorded, call.id());
            if (status != 200) {
                // a fault of the transport: the problem's status is the answer's
                problem.put("status", status);
            }
            McpAnswers.json(response, JsonRpc.error(id, recorded == denial ? code : JsonRpc.DENIED,
                    recorded.reason().title() + ": " + recorded.detail(), Optional.of(problem)));
        });
    }

    /** Body over the limit (BodyHandler fails with 413), or a fault in a handler: never a stack trace. */
    private void failure(RoutingContext rc) {
        if (rc.response().headWritten()) {
            rc.response().reset();
            return;
        }
        HttpServerRequest request = rc.request();
        String path = request.path();
        ToolCall call = received(request, path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "",
                request.method().name(), "/", new byte[0]);
        if (rc.statusCode() == 413) {
            refuse(rc, call, 413, null, JsonRpc.INVALID_REQUEST, Denial.of(Reason.PAYLOAD_TOO_LARGE,
                    "the request body exceeds " + maxBodyBytes + " bytes"));
        } else {
            LOG.warnf("MCP request failed: %s", String.valueOf(rc.failure()));
            refuse(rc, call, 500, null, JsonRpc.DENIED,
                    Denial.of(Reason.GATEWAY_ERROR, "the gateway could not handle the request"));
        }
    }

    private static ToolCall received(HttpServerRequest request, String server, String method, String path,
            byte[] body) {
        return ToolCall.received(CallIds.next(), Protocol.MCP, server,
                new Invocation(method, path, Map.of(), body),
                new Secret(request.getHeader("Authorization")), "", Mode.ENFORCE, Instant.now());
    }

    private void count(Exchange x, JsonRpc.Message message) {
        String method = message.method() == null ? "response"
                : KNOWN_METHODS.contains(message.method()) ? message.method() : "other";
        meters.counter("toolgate.mcp.messages", "server", x.server().name(), "method", method).increment();
    }

    /** Method labels of the message counter; others count as {@code other}, so a caller cannot grow the label set. */
    private static final Set<String> KNOWN_METHODS = Set.of("initialize", "ping", "tools/list", "tools/call",
            "resources/list", "resources/read", "resources/templates/list", "resources/subscribe",
            "resources/unsubscribe", "prompts/list", "prompts/get", "completion/complete", "logging/setLevel",
            "notifications/initialized", "notifications/cancelled", "notifications/progress",
            "notifications/roots/list_changed");

    private static void endQuietly(HttpServerResponse response) {
        if (!response.ended() && !response.closed()) {
            response.end();
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JsonRpc.JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }
}
