package dev.toolgate.contract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Every agent, tool and action name the document declares, read from the tree before anything is validated. A
 * reference (a grant, a kill switch, a fallback, a limit's selector) is checked against these names, even when the
 * declaration has problems of its own, so that one mistake is reported once, where it is, and a tool may refer to a
 * tool declared after it.
 */
final class Declarations {

    /**
     * One declared action.
     *
     * @param path its path, e.g. {@code tools.payments.actions[1]}
     * @param hasFallback whether it declares a {@code fallback}
     */
    record Action(String tool, String name, String path, boolean hasFallback) {
    }

    private final Set<String> agents = new LinkedHashSet<>();
    private final Map<String, List<Action>> tools = new LinkedHashMap<>();
    private final Set<String> mcpTools = new LinkedHashSet<>();

    Declarations(JsonNode root) {
        root.path("agents").properties().forEach(agent -> agents.add(agent.getKey()));
        for (Map.Entry<String, JsonNode> tool : root.path("tools").properties()) {
            String toolPath = LoadErrors.key(LoadErrors.key("tools", tool.getKey()), "actions");
            List<Action> actions = new ArrayList<>();
            JsonNode list = tool.getValue().path("actions");
            for (int i = 0; i < list.size(); i++) {
                JsonNode action = list.get(i);
                if (action.path("name").isTextual()) {
                    actions.add(new Action(tool.getKey(), action.path("name").textValue(),
                            LoadErrors.index(toolPath, i), action.hasNonNull("fallback")));
                }
            }
            tools.put(tool.getKey(), List.copyOf(actions));
            if ("mcp".equals(tool.getValue().path("kind").textValue())) {
                mcpTools.add(tool.getKey());
            }
        }
    }

    boolean agent(String name) {
        return agents.contains(name);
    }

    boolean tool(String name) {
        return tools.containsKey(name);
    }

    /** Whether the tool is declared {@code kind: mcp}. */
    boolean mcp(String tool) {
        return mcpTools.contains(tool);
    }

    boolean action(String tool, String action) {
        return tools.getOrDefault(tool, List.of()).stream().anyMatch(a -> a.name().equals(action));
    }

    /** The names of the tool's actions; empty for an unknown tool. */
    Set<String> actionNames(String tool) {
        Set<String> names = new LinkedHashSet<>();
        tools.getOrDefault(tool, List.of()).forEach(a -> names.add(a.name()));
        return names;
    }

    /** Every declared action, tools and actions in document order. */
    List<Action> actions() {
        return tools.values().stream().flatMap(List::stream).toList();
    }
}
