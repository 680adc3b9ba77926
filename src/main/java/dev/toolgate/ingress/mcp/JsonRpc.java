package dev.toolgate.ingress.mcp;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.StrictJson;

/**
 * JSON-RPC 2.0 as MCP uses it: one message per POST, read by {@link StrictJson} (UTF-8 only; a duplicate member
 * anywhere or trailing content is refused; numbers read exactly, so that toolgate and the server can never read one
 * message two ways),
 * and the error documents toolgate answers.
 */
final class JsonRpc {

    /** The message is not JSON. */
    static final int PARSE_ERROR = -32700;
    /** The message is JSON but not a JSON-RPC request, notification or response, or the gateway does not take it. */
    static final int INVALID_REQUEST = -32600;
    /** The method is not one toolgate passes on. */
    static final int METHOD_NOT_FOUND = -32601;
    /** The request's params are not what the method needs. */
    static final int INVALID_PARAMS = -32602;
    /** The session id is unknown, expired, or belongs to another principal (the code the MCP SDKs use). */
    static final int SESSION_NOT_FOUND = -32001;
    /** toolgate refused the message: {@code data} is the problem document, with its {@code reason}. */
    static final int DENIED = -32010;

    private static final String NOTIFICATIONS = "notifications/";
    private static final int MAX_METHOD = 128;

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private JsonRpc() {
    }

    /** What a POSTed message is. */
    enum Kind {
        REQUEST,
        NOTIFICATION,
        RESPONSE
    }

    /**
     * One message.
     *
     * @param id the request's or response's id (a string or a number); null for a notification
     * @param method the method; null for a response
     * @param params the params object, or null when absent
     * @param raw the message's bytes as received
     */
    record Message(Kind kind, JsonNode id, String method, ObjectNode params, ObjectNode node, byte[] raw) {
    }

    /** A message, or why the body is not one: the JSON-RPC error code and a message for the caller. */
    sealed interface Parsed {
        record Ok(Message message) implements Parsed {
        }

        record Bad(int code, String why) implements Parsed {
        }
    }

    static Parsed parse(byte[] body) {
        if (body.length == 0) {
            return new Parsed.Bad(INVALID_REQUEST, "the body is empty");
        }
        JsonNode node;
        switch (StrictJson.EXACT.read(body, "the message")) {
            case StrictJson.Read.Refused refused -> {
                return new Parsed.Bad(PARSE_ERROR, refused.denial().detail());
            }
            case StrictJson.Read.Ok ok -> node = ok.node();
        }
        if (node.isArray()) {
            return new Parsed.Bad(INVALID_REQUEST,
                    "send one JSON-RPC message per request: MCP does not batch since protocol version 2025-06-18");
        }
        if (!(node instanceof ObjectNode message) || !"2.0".equals(message.path("jsonrpc").textValue())) {
            return new Parsed.Bad(INVALID_REQUEST, "not a JSON-RPC 2.0 message");
        }
        JsonNode id = message.get("id");
        boolean hasId = id != null;
        if (hasId && !(id.isTextual() || id.isIntegralNumber())) {
            return new Parsed.Bad(INVALID_REQUEST, "a message id must be a string or an integer");
        }
        JsonNode method = message.get("method");
        JsonNode params = message.get("params");
        if (method != null) {
            if (!method.isTextual() || method.textValue().isEmpty()) {
                return new Parsed.Bad(INVALID_REQUEST, "the method must be a non-empty string");
            }
            if (message.has("result") || message.has("error")) {
                return new Parsed.Bad(INVALID_REQUEST, "a request has no result or error");
            }
            if (method.textValue().length() > MAX_METHOD) {
                return new Parsed.Bad(INVALID_REQUEST, "the method is longer than " + MAX_METHOD + " characters");
            }
            if (params != null && !params.isObject()) {
                return new Parsed.Bad(INVALID_REQUEST, "params must be an object");
            }
            // a notification gets no answer: one naming a method that needs an answer would be acted on unseen
            if (!hasId && !method.textValue().startsWith(NOTIFICATIONS)) {
                return new Parsed.Bad(INVALID_REQUEST, "a message without an id must be a notifications/ method");
            }
            if (hasId && method.textValue().startsWith(NOTIFICATIONS)) {
                return new Parsed.Bad(INVALID_REQUEST, "a notifications/ method is sent without an id");
            }
            return new Parsed.Ok(new Message(hasId ? Kind.REQUEST : Kind.NOTIFICATION, id, method.textValue(),
                    (ObjectNode) params, message, body));
        }
        if (!hasId || message.has("result") == message.has("error")) {
            return new Parsed.Bad(INVALID_REQUEST, "a response has an id and either a result or an error");
        }
        return new Parsed.Ok(new Message(Kind.RESPONSE, id, null, null, message, body));
    }

    /** An error response to {@code id} (null when the request's id is not known). */
    static ObjectNode error(JsonNode id, int code, String message, Optional<JsonNode> data) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("jsonrpc", "2.0");
        if (id == null) {
            doc.putNull("id");
        } else {
            doc.set("id", id);
        }
        ObjectNode error = doc.putObject("error");
        error.put("code", code);
        error.put("message", message);
        data.ifPresent(d -> error.set("data", d));
        return doc;
    }

    /** A result response to {@code id}. */
    static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("jsonrpc", "2.0");
        doc.set("id", id);
        doc.set("result", result);
        return doc;
    }

    /** A JSON text as a tree, or null when it is absent or not JSON (what a server sends is not trusted to be). */
    static JsonNode read(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The response to request {@code id} in a whole answer body: the JSON document itself, or the data of the event
     * carrying it in an event stream; null when the body holds no such response.
     */
    static JsonNode answerIn(byte[] body, boolean stream, JsonNode id, int maxEventBytes) {
        if (!stream) {
            JsonNode node = read(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            return answers(node, id) ? node : null;
        }
        for (SseEvents.Event event : SseEvents.all(body, maxEventBytes)) {
            JsonNode node = answerIn(event, id);
            if (node != null) {
                return node;
            }
        }
        return null;
    }

    /** The response to request {@code id} an event of a stream carries, or null when it carries none. */
    static JsonNode answerIn(SseEvents.Event event, JsonNode id) {
        JsonNode node = read(event.data());
        return answers(node, id) ? node : null;
    }

    /** Whether {@code node} is the response to the request with {@code id}. */
    static boolean answers(JsonNode node, JsonNode id) {
        return node != null && node.isObject() && !node.has("method") && id != null && id.equals(node.get("id"))
                && (node.has("result") || node.has("error"));
    }
}
