package dev.toolgate.ingress.mcp;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.ingress.web.HttpAnswers;
import dev.toolgate.ingress.web.ProblemDocuments;
import dev.toolgate.ingress.web.RateLimitHeaders;
import dev.toolgate.pipeline.Outcome;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes the outcome of an MCP message as MCP answers it. The server's answer passes as it came (a rewritten one as
 * rewritten). A refused {@code tools/call} is a {@code CallToolResult} with {@code isError: true}, the problem document
 * as its {@code structuredContent} and, as text, the same JSON; a dry run's proposal is a result too; a replay is the
 * kept result under the repeat's id. Any other refused request is a JSON-RPC error whose {@code data} is the problem
 * ({@code -32601} for a method toolgate does not pass, {@code -32001} when the server forgot the session, else
 * {@code -32010}), HTTP 200, or the server's own status when the server refused it. What gets no JSON-RPC answer (a
 * notification, a response, the server's stream, the end of a session) is refused with the problem's HTTP status. A
 * server, or an {@code initialize}, the agent has no grant of is 404, like one that does not exist. Every answer
 * carries {@code Toolgate-Decision-Id}, {@code Toolgate-Policy-Revision} and the rate-limit fields.
 */
final class McpAnswers {

    private static final Set<String> PASSED = Set.of("content-type", "cache-control", "mcp-protocol-version");
    /** The member of a problem that marks a method toolgate passes to no server. */
    static final String UNKNOWN_METHOD = "unknown_method";

    /** What kind of answer a message expects. */
    enum Expects {
        /** A {@code tools/call}: refusals are {@code isError} results. */
        TOOL_RESULT,
        /** The request that opens a session: a server the agent has no grant of is 404. */
        SESSION,
        /** Any other request: refusals are JSON-RPC errors. */
        RESULT,
        /** A notification, a response, the server's stream, the end of a session: no JSON-RPC answer. */
        NOTHING
    }

    private McpAnswers() {
    }

    static void write(HttpServerResponse response, Outcome<McpReply> outcome, JsonNode requestId, Expects expects) {
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            // a streamed answer: its events are out but the answer's own, and a fault after its head can only end it
            if (outcome instanceof Outcome.Answered<McpReply> a && a.reply() instanceof McpReply.Streamed s) {
                response.end(s.answerEvent());
            } else {
                response.end();
            }
            return;
        }
        response.putHeader("Toolgate-Decision-Id", outcome.call().id());
        response.putHeader("Toolgate-Policy-Revision", outcome.policyRevision());
        RateLimitHeaders.write(response, outcome.call().usage());
        ProblemDocuments.degradedFrom(outcome.call()).ifPresent(from -> response.putHeader(HttpAnswers.DEGRADED_FROM,
                from));
        switch (outcome) {
            case Outcome.Answered<McpReply> a -> reply(response, a.reply(), requestId);
            case Outcome.Replayed<McpReply> r -> {
                response.putHeader("Toolgate-Idempotent-Replay", "true");
                reply(response, r.reply(), requestId);
            }
            case Outcome.Refused<McpReply> r -> refused(response, r, requestId, expects);
            case Outcome.Proposed<McpReply> p -> json(response, JsonRpc.result(requestId,
                    toolResult(ProblemDocuments.proposal(JsonRpc.JSON, p), false)));
        }
    }

    private static void refused(HttpServerResponse response, Outcome.Refused<McpReply> r, JsonNode requestId,
            Expects expects) {
        Denial denial = r.denial();
        ObjectNode problem = ProblemDocuments.degradation(ProblemDocuments.document(JsonRpc.JSON, denial,
                r.call().id()), r.call());
        if (expects == Expects.TOOL_RESULT) {
            json(response, JsonRpc.result(requestId, toolResult(problem, true)));
            return;
        }
        Object upstream = denial.extensions().get(McpReplies.UPSTREAM_STATUS);
        int status = upstream instanceof Integer s ? s
                : denial.reason() == Reason.TOOL_NOT_GRANTED && expects != Expects.RESULT ? 404
                        : expects == Expects.NOTHING ? ProblemDocuments.status(denial) : 200;
        int code = status == 404 && upstream != null ? JsonRpc.SESSION_NOT_FOUND
                : Boolean.TRUE.equals(denial.extensions().get(UNKNOWN_METHOD)) ? JsonRpc.METHOD_NOT_FOUND
                        : JsonRpc.DENIED;
        if (status != 200) {
            problem.put("status", status);
        }
        response.setStatusCode(status);
        if (denial.reason() == Reason.UNAUTHENTICATED) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"toolgate\"");
        }
        json(response, JsonRpc.error(expects == Expects.NOTHING ? null : requestId, code,
                denial.reason().title() + ": " + denial.detail(), Optional.of(problem)));
    }

    private static void reply(HttpServerResponse response, McpReply reply, JsonNode requestId) {
        switch (reply) {
            case McpReply.Whole w -> {
                response.setStatusCode(w.status());
                for (Map.Entry<String, String> h : w.headers()) {
                    if (PASSED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                        response.headers().add(h.getKey(), h.getValue());
                    }
                }
                response.end(w.body());
            }
            case McpReply.Streamed s -> response.end(s.answerEvent());
            case McpReply.Kept k -> {
                ObjectNode answer = JsonRpc.JSON.createObjectNode();
                answer.put("jsonrpc", "2.0");
                answer.set("id", requestId);
                answer.setAll((ObjectNode) k.answer());
                json(response, answer);
            }
        }
    }

    /** A {@code CallToolResult} carrying {@code doc} as structured content and as text. */
    static ObjectNode toolResult(ObjectNode doc, boolean isError) {
        ObjectNode result = JsonRpc.JSON.createObjectNode();
        ObjectNode text = result.putArray("content").addObject();
        text.put("type", "text");
        text.put("text", doc.toString());
        result.set("structuredContent", doc);
        result.put("isError", isError);
        return result;
    }

    static void json(HttpServerResponse response, JsonNode doc) {
        response.putHeader("Content-Type", "application/json");
        response.end(doc.toString());
    }
}
