package dev.toolgate.ingress.mcp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Invocation;
import dev.toolgate.call.McpMethod;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.Upstream;
import io.smallrye.mutiny.Uni;

/**
 * The answers toolgate rewrites before the agent sees them, each to what the pipeline shows the caller
 * ({@link Upstream.Context}, under the contract and policy its message was decided by): a {@code tools/list} page
 * keeps the tools the caller may call, in the server's order, with its cursor; an {@code initialize} answer loses the
 * {@code resources} and {@code prompts} capabilities the caller may not use.
 */
final class McpListings {

    private McpListings() {
    }

    /** How an answer to one request is rewritten: the call it answers, the answer, what the caller may see. */
    @FunctionalInterface
    interface Rewrite {
        Uni<JsonNode> apply(ToolCall call, JsonNode answer, Upstream.Context listings);
    }

    /** The rewrite for a request's method, or null when its answer passes as it comes. */
    static Rewrite of(String method, McpSchemas schemas) {
        return switch (method) {
            case McpMethod.TOOLS_LIST -> (call, answer, listings) -> tools(call, answer, listings, schemas);
            case McpMethod.INITIALIZE -> McpListings::capabilities;
            default -> null;
        };
    }

    private static Uni<JsonNode> tools(ToolCall call, JsonNode answer, Upstream.Context listings,
            McpSchemas schemas) {
        JsonNode tools = answer.path("result").path("tools");
        if (!answer.has("result") || !tools.isArray()) {
            // an error answer passes; a result without a tools list cannot be filtered, so it lists nothing
            return Uni.createFrom().item(answer.has("result") ? withTools(answer, JsonRpc.JSON.createArrayNode())
                    : answer);
        }
        schemas.learn(call.tool(), tools);
        List<ToolCall> candidates = new ArrayList<>();
        for (JsonNode tool : tools) {
            if (tool.path("name").isTextual()) {
                candidates.add(candidate(call, McpMethod.TOOLS_CALL, tool.path("name").textValue()));
            }
        }
        return listings.visible(candidates).map(shown -> {
            Set<String> names = new HashSet<>();
            shown.forEach(c -> names.add(c.invocation().path()));
            ArrayNode kept = JsonRpc.JSON.createArrayNode();
            for (JsonNode tool : tools) {
                if (tool.path("name").isTextual() && names.contains(tool.path("name").textValue())) {
                    kept.add(tool);
                }
            }
            return withTools(answer, kept);
        });
    }

    /** The server's capabilities less resources and prompts when the caller may not list them. */
    private static Uni<JsonNode> capabilities(ToolCall call, JsonNode answer, Upstream.Context listings) {
        if (!(answer.path("result").path("capabilities") instanceof ObjectNode)) {
            return Uni.createFrom().item(answer);
        }
        List<ToolCall> candidates = List.of(candidate(call, "resources/list", ""),
                candidate(call, "prompts/list", ""));
        return listings.visible(candidates).map(shown -> {
            Set<String> methods = new HashSet<>();
            shown.forEach(c -> methods.add(c.invocation().method()));
            ObjectNode filtered = answer.deepCopy();
            ObjectNode caps = (ObjectNode) filtered.get("result").get("capabilities");
            if (!methods.contains("resources/list")) {
                caps.remove("resources");
            }
            if (!methods.contains("prompts/list")) {
                caps.remove("prompts");
            }
            return filtered;
        });
    }

    /** A listing candidate: the caller's call of one method (and tool), without arguments. */
    private static ToolCall candidate(ToolCall call, String method, String path) {
        return ToolCall.received(call.id(), call.protocol(), call.tool(),
                new Invocation(method, path, Map.of(), new byte[0]), Secret.NONE, "", Mode.LIST, call.receivedAt())
                .withPrincipal(call.principal().orElseThrow());
    }

    private static JsonNode withTools(JsonNode answer, ArrayNode tools) {
        ObjectNode filtered = answer.deepCopy();
        ((ObjectNode) filtered.get("result")).set("tools", tools);
        return filtered;
    }
}
