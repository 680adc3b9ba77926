package dev.toolgate.ingress.mcp;

import java.util.Optional;

import dev.toolgate.call.CallIds;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.Identified;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * One request to {@code /mcp/{server}} once admitted: who sent it (identified once), to which server, in which of its
 * sessions.
 *
 * @param server the server's name as the agent addressed it
 * @param session the {@code Mcp-Session-Id} presented, checked to be the caller's own
 */
record McpExchange(RoutingContext rc, Identified who, String server, Optional<String> session) {

    HttpServerRequest request() {
        return rc.request();
    }

    HttpServerResponse response() {
        return rc.response();
    }

    /** A call of this request, as the ingress hands it to the pipeline: the caller's credential, nothing resolved. */
    ToolCall call(Invocation invocation, String runId, Mode mode) {
        return ToolCall.received(CallIds.next(), Protocol.MCP, server, invocation,
                new Secret(request().getHeader("Authorization")), runId, mode, java.time.Instant.now());
    }
}
