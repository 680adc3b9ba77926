package dev.toolgate.contract;

import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.Contract;
import dev.toolgate.call.McpMethod;

/**
 * What the contract makes of the MCP methods besides {@code tools/call}: which grant each needs and what role its
 * call plays. Resources need {@value Contract#RESOURCES}, prompts {@value Contract#PROMPTS}, a completion the grant of
 * what it completes; what keeps a session going needs any grant of the server. A method not named here is passed to
 * no server.
 */
final class McpMethods {

    private static final Set<String> RESOURCES = Set.of("resources/list", "resources/read", "resources/subscribe",
            "resources/unsubscribe", "resources/templates/list");
    private static final Set<String> PROMPTS = Set.of("prompts/list", "prompts/get");
    private static final String COMPLETION = "completion/complete";
    private static final Set<String> SESSION = Set.of(McpMethod.INITIALIZE, "ping", McpMethod.TOOLS_LIST,
            "logging/setLevel", "server/discover", "tasks/get", "tasks/list", "tasks/result", "tasks/cancel",
            "notifications/initialized", "notifications/cancelled", "notifications/progress",
            "notifications/roots/list_changed", McpMethod.STREAM, McpMethod.END_SESSION, McpMethod.RESPONSE);

    /**
     * What a method needs.
     *
     * @param grant the grant of the server it needs ({@value Contract#RESOURCES} or {@value Contract#PROMPTS}); empty
     *        when any grant of the server will do
     */
    record Need(ActionSpec.Role role, Optional<String> grant) {
    }

    private McpMethods() {
    }

    /** What the method needs, given its params; empty when it is not passed to servers. */
    static Optional<Need> of(String method, JsonNode params) {
        if (RESOURCES.contains(method)) {
            return Optional.of(new Need(ActionSpec.Role.READ, Optional.of(Contract.RESOURCES)));
        }
        if (PROMPTS.contains(method)) {
            return Optional.of(new Need(ActionSpec.Role.READ, Optional.of(Contract.PROMPTS)));
        }
        if (method.equals(COMPLETION)) {
            return switch (params.path("ref").path("type").asText("")) {
                case "ref/prompt" -> Optional.of(new Need(ActionSpec.Role.READ, Optional.of(Contract.PROMPTS)));
                case "ref/resource" -> Optional.of(new Need(ActionSpec.Role.READ, Optional.of(Contract.RESOURCES)));
                default -> Optional.empty();
            };
        }
        return SESSION.contains(method) ? Optional.of(new Need(ActionSpec.Role.SESSION, Optional.empty()))
                : Optional.empty();
    }
}
