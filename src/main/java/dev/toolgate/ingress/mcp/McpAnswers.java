package dev.toolgate.ingress.mcp;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.ingress.http.HttpAnswers;
import dev.toolgate.ingress.http.Problems;
import dev.toolgate.ingress.http.RateLimitHeaders;
import dev.toolgate.pipeline.Outcome;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes a {@code tools/call} outcome as MCP answers it: the server's answer as it came; a denial as a
 * {@code CallToolResult} with {@code isError: true}, the problem document as its {@code structuredContent} and, as
 * text, the same JSON; a dry run's proposal as a result too; a replay as the kept result under the repeat's id. Every
 * answer carries {@code Toolgate-Decision-Id}, {@code Toolgate-Policy-Revision} and the rate-limit fields.
 */
final class McpAnswers {

    private static final Set<String> PASSED = Set.of("content-type", "cache-control");

    private McpAnswers() {
    }

    static void write(HttpServerResponse response, Outcome<McpReply> outcome, JsonNode requestId) {
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
        Problems.degradedFrom(outcome.call()).ifPresent(from -> response.putHeader(HttpAnswers.DEGRADED_FROM, from));
        switch (outcome) {
            case Outcome.Answered<McpReply> a -> reply(response, a.reply(), requestId);
            case Outcome.Replayed<McpReply> r -> {
                response.putHeader("Toolgate-Idempotent-Replay", "true");
                reply(response, r.reply(), requestId);
            }
            case Outcome.Refused<McpReply> r -> json(response, JsonRpc.result(requestId,
                    toolResult(Problems.degradation(Problems.document(JsonRpc.JSON, r.denial(), r.call().id()),
                            r.call()), true)));
            case Outcome.Proposed<McpReply> p -> json(response, JsonRpc.result(requestId,
                    toolResult(Problems.proposal(JsonRpc.JSON, p), false)));
        }
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

    /** A JSON-RPC error whose data is the denial's problem document. */
    static ObjectNode denied(JsonNode requestId, Denial denial, String decisionId) {
        ObjectNode problem = Problems.document(JsonRpc.JSON, denial, decisionId);
        return JsonRpc.error(requestId, JsonRpc.DENIED, denial.reason().title() + ": " + denial.detail(),
                Optional.of(problem));
    }

    static void json(HttpServerResponse response, JsonNode doc) {
        response.putHeader("Content-Type", "application/json");
        response.end(doc.toString());
    }
}
