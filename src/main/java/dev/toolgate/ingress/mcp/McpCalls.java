package dev.toolgate.ingress.mcp;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.McpMethod;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;

/**
 * Translates one MCP message into the call the pipeline decides. A {@code tools/call} names its tool (the invocation's
 * path) and carries its {@code arguments}; any other request or notification carries its {@code params} without
 * {@code _meta}; a response carries nothing of its own. toolgate's options ({@link McpOptions}) are read from a
 * {@code tools/call}; of any other request the run id and an approval count (a dry run and an idempotency key are a
 * tool call's).
 */
final class McpCalls {

    private McpCalls() {
    }

    /** A call, or why the message cannot become one (a client's mistake). */
    sealed interface Translated {
        record Call(ToolCall call) implements Translated {
        }

        /**
         * @param malformed the message is not a well-formed request of its method: answered with a JSON-RPC
         *        {@code -32602} error, not as the method answers refusals (a tool call's {@code isError} result)
         */
        record Bad(ToolCall call, boolean malformed, Denial denial) implements Translated {
        }
    }

    static Translated of(McpExchange x, JsonRpc.Message message) {
        if (message.kind() == JsonRpc.Kind.RESPONSE) {
            return new Translated.Call(x.call(invocation(McpMethod.RESPONSE, "", null), "", Mode.ENFORCE));
        }
        ObjectNode params = message.params();
        if (message.kind() == JsonRpc.Kind.NOTIFICATION) {
            return new Translated.Call(x.call(invocation(message.method(), "", params), "", Mode.ENFORCE));
        }
        boolean toolsCall = message.method().equals(McpMethod.TOOLS_CALL);
        JsonNode name = params == null ? null : params.get("name");
        if (toolsCall && (name == null || !name.isTextual() || name.textValue().isEmpty())) {
            return new Translated.Bad(x.call(invocation(message.method(), "", null), "", Mode.ENFORCE), true,
                    Denial.of(Reason.INVALID_ARGUMENTS, "tools/call needs params.name, a tool name"));
        }
        if (!toolsCall) {
            // a dry run and an idempotency key are a tool call's; a run id counts any request's spend, and an
            // approval redeems any request the policy wants signed off
            return switch (McpOptions.read(params, x.request().headers())) {
                case McpOptions.Read.Bad bad -> new Translated.Bad(x.call(invocation(message.method(), "", params), "",
                        Mode.ENFORCE), true, Denial.of(Reason.INVALID_ARGUMENTS, bad.why()));
                case McpOptions.Read.Ok ok -> new Translated.Call(x.call(invocation(message.method(), "", params),
                        ok.options().runId(), Mode.ENFORCE).withRequestOptions(ok.options().approval(),
                                java.util.Optional.empty())
                        .withTrace(McpOptions.trace(params, x.request().headers())));
            };
        }
        Invocation invocation = new Invocation(McpMethod.TOOLS_CALL, name.textValue(), Map.of(),
                params.has("arguments") ? bytes(params.get("arguments")) : new byte[0]);
        return switch (McpOptions.read(params, x.request().headers())) {
            case McpOptions.Read.Bad bad -> new Translated.Bad(x.call(invocation, "", Mode.ENFORCE), false,
                    Denial.of(Reason.INVALID_ARGUMENTS, bad.why()));
            case McpOptions.Read.Ok ok -> new Translated.Call(x.call(invocation, ok.options().runId(),
                    ok.options().mode()).withRequestOptions(ok.options().approval(), ok.options().idempotencyKey())
                    .withTrace(McpOptions.trace(params, x.request().headers())));
        };
    }

    /** The call a transport operation ({@code GET}, {@code DELETE}) is decided as. */
    static ToolCall transport(McpExchange x, String operation) {
        return x.call(invocation(operation, "", null), "", Mode.ENFORCE);
    }

    /** A method's invocation: its params without {@code _meta} (protocol metadata, not arguments) as the body. */
    private static Invocation invocation(String method, String path, ObjectNode params) {
        if (params == null) {
            return new Invocation(method, path, Map.of(), new byte[0]);
        }
        ObjectNode args = params.deepCopy();
        args.remove("_meta");
        return new Invocation(method, path, Map.of(), bytes(args));
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JsonRpc.JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }
}
