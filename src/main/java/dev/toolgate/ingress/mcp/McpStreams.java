package dev.toolgate.ingress.mcp;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.Denial;
import dev.toolgate.call.McpMethod;
import dev.toolgate.call.Reason;
import dev.toolgate.pipeline.Outcome;
import dev.toolgate.pipeline.Pipeline;
import dev.toolgate.pipeline.ToolSchemas;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;

/**
 * The session operations that are not a JSON-RPC message, each a call of the pipeline like any message: {@code GET}
 * (the server's own stream) and {@code DELETE} (the agent ends its session, whose binding goes once the server has let
 * it go).
 */
@ApplicationScoped
class McpStreams {

    private final Pipeline pipeline;
    private final McpRelay relay;
    private final McpSessions sessions;
    private final McpRefusals refusals;

    McpStreams(Pipeline pipeline, McpRelay relay, McpSessions sessions, McpRefusals refusals) {
        this.pipeline = pipeline;
        this.relay = relay;
        this.sessions = sessions;
        this.refusals = refusals;
    }

    /** {@code GET}: the server's stream of its own requests and notifications, for as long as it runs. */
    void open(McpExchange x) {
        McpSessionUpstream upstream = new McpSessionUpstream(relay, HttpMethod.GET, x.request().headers(),
                x.response());
        pipeline.handle(x.who(), McpCalls.transport(x, McpMethod.STREAM), ToolSchemas.UNDECLARED, upstream)
                .subscribe().with(outcome -> McpAnswers.write(x.response(), outcome, null, McpAnswers.Expects.NOTHING),
                        fault -> refusals.fault(x, fault));
    }

    /** {@code DELETE}: ends the caller's session at the server, then forgets its binding. */
    void end(McpExchange x) {
        if (x.session().isEmpty()) {
            refusals.refuse(x.rc(), McpRefusals.probe(x.request(), x.server()), 400, null, JsonRpc.INVALID_REQUEST,
                    Denial.of(Reason.INVALID_ARGUMENTS, "DELETE ends a session: send its Mcp-Session-Id"));
            return;
        }
        McpSessionUpstream upstream = new McpSessionUpstream(relay, HttpMethod.DELETE, x.request().headers(),
                x.response());
        pipeline.handle(x.who(), McpCalls.transport(x, McpMethod.END_SESSION), ToolSchemas.UNDECLARED, upstream)
                .chain(outcome -> forget(x, outcome))
                .subscribe().with(outcome -> McpAnswers.write(x.response(), outcome, null, McpAnswers.Expects.NOTHING),
                        fault -> refusals.fault(x, fault));
    }

    /** The server ended the session, or no longer knew it: the binding goes too. */
    private Uni<Outcome<McpReply>> forget(McpExchange x, Outcome<McpReply> outcome) {
        boolean gone = outcome instanceof Outcome.Answered<McpReply>
                || outcome instanceof Outcome.Refused<McpReply> r
                        && Integer.valueOf(404).equals(r.denial().extensions().get(McpReplies.UPSTREAM_STATUS));
        return gone ? sessions.end(x.server(), x.session().get(), x.who().principal()).onFailure().recoverWithNull()
                .replaceWith(outcome) : Uni.createFrom().item(outcome);
    }
}
