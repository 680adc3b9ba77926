package dev.toolgate.ingress.mcp;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.vertx.core.buffer.Buffer;

/** What became of a forwarded {@code tools/call}, for the ingress to finish answering. */
sealed interface McpReply {

    /**
     * The server's answer to the call (a result or a JSON-RPC error), when one was seen; null when the server answered
     * something else (an HTTP error, a stream that ended without it).
     */
    JsonNode answer();

    /**
     * A complete answer not yet written: the server's status, headers and body, passed on as they are.
     *
     * @param answer the response message in the body, or null
     */
    record Whole(int status, List<Map.Entry<String, String>> headers, Buffer body, JsonNode answer) implements McpReply {
    }

    /**
     * An answer the server streamed, passed on event by event but for the event carrying the call's answer, which is
     * written last, once the call is settled and recorded.
     *
     * @param answerEvent that event's bytes as the server sent them; empty when the stream carried no answer
     */
    record Streamed(JsonNode answer, Buffer answerEvent) implements McpReply {
    }

    /**
     * The kept answer of an earlier call with the same idempotency key: {@code {"result": …}} or {@code {"error": …}},
     * to be sent under the repeat's own request id.
     */
    record Kept(JsonNode answer) implements McpReply {
    }
}
