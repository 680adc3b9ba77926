package dev.toolgate.ingress.mcp;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.TraceContext;
import io.vertx.core.buffer.Buffer;

/** The bytes toolgate sends on: a message to a server, and a stream with one event's response rewritten. */
final class McpMessageBytes {

    private McpMessageBytes() {
    }

    /**
     * The message as forwarded: the bytes as received when there is nothing to change, else with toolgate's own
     * {@code _meta} members removed, for a {@code tools/call} the action's tool name in place, and the trace context
     * ({@code _meta.traceparent}, {@code _meta.tracestate}) toolgate's, never the agent's as it came.
     *
     * @param toolName the tool a {@code tools/call} resolved to; null for any other message
     * @param trace the trace context the server is to continue, if any
     */
    static byte[] forwarded(JsonRpc.Message message, String toolName, Optional<TraceContext> trace) {
        ObjectNode params = message.params();
        JsonNode meta = params == null ? null : params.get("_meta");
        boolean ours = meta != null && meta.isObject()
                && meta.properties().stream().anyMatch(member -> member.getKey().startsWith(McpOptions.PREFIX)
                        || TRACE.contains(member.getKey()));
        boolean renamed = toolName != null && !toolName.equals(params.path("name").textValue());
        boolean traced = trace.isPresent() && params != null;
        if (!ours && !renamed && !traced) {
            return message.raw();
        }
        ObjectNode copy = message.node().deepCopy();
        ObjectNode copied = (ObjectNode) copy.get("params");
        if (renamed) {
            copied.put("name", toolName);
        }
        if (copied.get("_meta") instanceof ObjectNode copiedMeta) {
            copiedMeta.properties().removeIf(member -> member.getKey().startsWith(McpOptions.PREFIX)
                    || TRACE.contains(member.getKey()));
            if (copiedMeta.isEmpty()) {
                copied.remove("_meta");
            }
        }
        if (traced) {
            ObjectNode tracedMeta = copied.get("_meta") instanceof ObjectNode m ? m : copied.putObject("_meta");
            tracedMeta.put("traceparent", trace.get().traceparent());
            if (!trace.get().tracestate().isEmpty()) {
                tracedMeta.put("tracestate", trace.get().tracestate());
            }
        }
        try {
            return JsonRpc.JSON.writeValueAsBytes(copy);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }

    private static final java.util.Set<String> TRACE = java.util.Set.of("traceparent", "tracestate");

    /** The same stream of events with the one carrying the response to {@code id} replaced by {@code answer}. */
    static Buffer replaceEvent(byte[] stream, JsonNode id, JsonNode answer, int maxEventBytes) {
        Buffer out = Buffer.buffer();
        for (SseEvents.Event event : SseEvents.all(stream, maxEventBytes)) {
            if (JsonRpc.answerIn(event, id) != null) {
                out.appendBytes(SseEvents.event(answer.toString(), event.id()));
            } else {
                out.appendBytes(event.raw());
            }
        }
        return out;
    }
}
