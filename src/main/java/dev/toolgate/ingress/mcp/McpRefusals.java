package dev.toolgate.ingress.mcp;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.CallIds;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Reason;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.ingress.web.ProblemDocuments;
import dev.toolgate.pipeline.Outcome;
import dev.toolgate.pipeline.Pipeline;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses what the ingress cannot hand to the pipeline as a call (a request that is not one MCP message, an unknown
 * caller or session): the refusal is audited like any denial, and answered with an HTTP status and a JSON-RPC error
 * whose {@code data} is the problem document.
 */
@ApplicationScoped
class McpRefusals {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(McpRefusals.class);

    private final Pipeline pipeline;

    McpRefusals(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    /** The call a refused request is audited as: the caller's credential, the server addressed, nothing resolved. */
    static ToolCall probe(HttpServerRequest request, String server) {
        return ToolCall.received(CallIds.next(), Protocol.MCP, server,
                new Invocation(request.method().name(), "/", Map.of(), new byte[0]),
                new Secret(request.getHeader("Authorization")), "", Mode.ENFORCE, Instant.now());
    }

    /** Audits the refusal, then answers {@code status} with a JSON-RPC error to {@code id} (null: none known). */
    void refuse(RoutingContext rc, ToolCall call, int status, JsonNode id, int code, Denial denial) {
        pipeline.<McpReply> refuse(call, denial).subscribe().with(
                outcome -> write(rc.response(), call.id(), outcome.policyRevision(), status, id, code, denial,
                        outcome instanceof Outcome.Refused<McpReply> r ? r.denial() : denial),
                fault -> write(rc.response(), call.id(), "", 500, id, JsonRpc.DENIED, denial,
                        Denial.of(Reason.GATEWAY_ERROR, "the gateway could not record the call")));
    }

    /** A fault the pipeline's promise should have kept from happening: the agent still gets an answer. */
    void fault(McpExchange x, Throwable fault) {
        LOG.warnf("MCP server %s: a request could not be answered: %s", x.server(), fault.toString());
        LOG.debug("MCP fault", fault);
        if (x.response().headWritten()) {
            x.response().reset();
            return;
        }
        refuse(x.rc(), probe(x.request(), x.server()), 500, null, JsonRpc.DENIED,
                Denial.of(Reason.GATEWAY_ERROR, "the gateway could not handle the request"));
    }

    private static void write(HttpServerResponse response, String decisionId, String policyRevision, int status,
            JsonNode id, int code, Denial denial, Denial recorded) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(recorded == denial ? status : 500);
        response.putHeader("Toolgate-Decision-Id", decisionId);
        response.putHeader("Toolgate-Policy-Revision", policyRevision);
        if (recorded.reason() == Reason.UNAUTHENTICATED && status == 401) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"toolgate\"");
        }
        ObjectNode problem = ProblemDocuments.document(JsonRpc.JSON, recorded, decisionId);
        if (status != 200) {
            // a fault of the transport: the problem's status is the answer's
            problem.put("status", response.getStatusCode());
        }
        McpAnswers.json(response, JsonRpc.error(id, recorded == denial ? code : JsonRpc.DENIED,
                recorded.reason().title() + ": " + recorded.detail(), Optional.of(problem)));
    }
}
