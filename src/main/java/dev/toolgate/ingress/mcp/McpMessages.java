package dev.toolgate.ingress.mcp;

import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.McpMethod;
import dev.toolgate.call.Reason;
import dev.toolgate.call.StrictJson;
import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.Outcome;
import dev.toolgate.pipeline.Pipeline;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code POST}: one JSON-RPC message, read strictly, becomes one call of the pipeline ({@link McpCalls}) whatever its
 * method; what the pipeline allows is forwarded ({@link McpUpstream}) and the outcome answered ({@link McpAnswers}).
 * The session an {@code initialize} opens is bound to its caller before the caller learns its id.
 */
@ApplicationScoped
class McpMessages {

    private static final Logger LOG = Logger.getLogger(McpMessages.class);

    /** Method labels of the message counter; others count as {@code other}, so a caller cannot grow the label set. */
    private static final Set<String> KNOWN_METHODS = Set.of("initialize", "ping", "tools/list", "tools/call",
            "resources/list", "resources/read", "resources/templates/list", "resources/subscribe",
            "resources/unsubscribe", "prompts/list", "prompts/get", "completion/complete", "logging/setLevel",
            "notifications/initialized", "notifications/cancelled", "notifications/progress",
            "notifications/roots/list_changed");

    private final Pipeline pipeline;
    private final McpRelay relay;
    private final McpSchemas schemas;
    private final McpSessions sessions;
    private final McpRefusals refusals;
    private final MeterRegistry meters;
    private final ToolgateConfig.Mcp config;
    private final int maxKeptReplyBytes;

    McpMessages(Pipeline pipeline, McpRelay relay, McpSchemas schemas, McpSessions sessions, McpRefusals refusals,
            MeterRegistry meters, ToolgateConfig config) {
        this.pipeline = pipeline;
        this.relay = relay;
        this.schemas = schemas;
        this.sessions = sessions;
        this.refusals = refusals;
        this.meters = meters;
        this.config = config.mcp();
        this.maxKeptReplyBytes = config.idempotency().maxReplyBytes();
    }

    void post(McpExchange x) {
        HttpServerRequest request = x.request();
        ToolCall probe = McpRefusals.probe(request, x.server());
        Buffer body = x.rc().body().buffer() == null ? Buffer.buffer() : x.rc().body().buffer();
        Optional<Denial> media = StrictJson.mediaType(request.getHeader("Content-Type"));
        if (media.isPresent()) {
            refusals.refuse(x.rc(), probe, 415, null, JsonRpc.INVALID_REQUEST, media.get());
            return;
        }
        JsonRpc.Message message;
        switch (JsonRpc.parse(body.getBytes())) {
            case JsonRpc.Parsed.Bad bad -> {
                refusals.refuse(x.rc(), probe, 400, null, bad.code(), Denial.of(Reason.INVALID_ARGUMENTS, bad.why()));
                return;
            }
            case JsonRpc.Parsed.Ok ok -> message = ok.message();
        }
        Optional<String> mismatch = routingMismatch(request, message);
        if (mismatch.isPresent()) {
            refusals.refuse(x.rc(), probe, 400, message.id(), JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.INVALID_ARGUMENTS, mismatch.get()));
            return;
        }
        McpAnswers.Expects expects = expects(message);
        switch (McpCalls.of(x, message)) {
            case McpCalls.Translated.Bad bad -> {
                if (bad.malformed()) {
                    refusals.refuse(x.rc(), bad.call(), 200, message.id(), JsonRpc.INVALID_PARAMS, bad.denial());
                } else {
                    pipeline.<McpReply> refuse(bad.call(), bad.denial()).subscribe().with(
                            outcome -> McpAnswers.write(x.response(), outcome, message.id(), expects),
                            fault -> refusals.fault(x, fault));
                }
            }
            case McpCalls.Translated.Call c -> {
                McpListings.Rewrite rewrite = message.kind() == JsonRpc.Kind.REQUEST
                        ? McpListings.of(message.method(), schemas)
                        : null;
                McpUpstream upstream = new McpUpstream(relay, x.server(), message, request.headers(), x.response(),
                        maxKeptReplyBytes, rewrite);
                pipeline.handle(x.who(), c.call(), schemas.of(request.headers()), upstream)
                        .chain(outcome -> opened(x, message, outcome))
                        .subscribe().with(outcome -> {
                            count(message, outcome);
                            McpAnswers.write(x.response(), outcome, message.id(), expects);
                        }, fault -> refusals.fault(x, fault));
            }
        }
    }

    /**
     * An {@code initialize} the server answered with a session: the session is bound to its caller, then its id
     * passed on. A session that cannot be bound is not passed on: the agent cannot use it.
     */
    private Uni<Outcome<McpReply>> opened(McpExchange x, JsonRpc.Message message, Outcome<McpReply> outcome) {
        if (!McpMethod.INITIALIZE.equals(message.method()) || !(outcome instanceof Outcome.Answered<McpReply> a)
                || !(a.reply() instanceof McpReply.Whole whole) || whole.status() / 100 != 2) {
            return Uni.createFrom().item(outcome);
        }
        String opened = whole.headers().stream().filter(h -> h.getKey().equalsIgnoreCase(McpRelay.SESSION))
                .map(java.util.Map.Entry::getValue).findFirst().orElse(null);
        if (opened == null) {
            return Uni.createFrom().item(outcome);
        }
        return sessions.bind(x.server(), opened, x.who().principal(), config.sessionIdleTtl())
                .invoke(() -> x.response().putHeader(McpRelay.SESSION, opened))
                .replaceWith(outcome)
                .onFailure().recoverWithItem(fault -> {
                    LOG.warnf("MCP server %s: a session could not be bound: %s", x.server(), fault.toString());
                    return new Outcome.Refused<>(outcome.call(), outcome.policyRevision(),
                            Denial.of(Reason.GATEWAY_ERROR, "the gateway could not bind the MCP session"));
                });
    }

    private static McpAnswers.Expects expects(JsonRpc.Message message) {
        if (message.kind() != JsonRpc.Kind.REQUEST) {
            return McpAnswers.Expects.NOTHING;
        }
        return switch (message.method()) {
            case McpMethod.TOOLS_CALL -> McpAnswers.Expects.TOOL_RESULT;
            case McpMethod.INITIALIZE -> McpAnswers.Expects.SESSION;
            default -> McpAnswers.Expects.RESULT;
        };
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
            JsonNode params = message.params();
            JsonNode named = params == null ? null : params.has("name") ? params.get("name") : params.get("uri");
            if (named == null || !named.isTextual() || !named.textValue().equals(name)) {
                return Optional.of("the Mcp-Name header does not match the message's name");
            }
        }
        return Optional.empty();
    }

    /** Counted once decided: the server label is the contract's name of the tool it resolved to, never the agent's. */
    private void count(JsonRpc.Message message, Outcome<McpReply> outcome) {
        String method = message.method() == null ? "response"
                : KNOWN_METHODS.contains(message.method()) ? message.method() : "other";
        String server = outcome.call().action().map(a -> a.tool().name()).orElse("");
        meters.counter("toolgate.mcp.messages", "server", server, "method", method).increment();
    }
}
