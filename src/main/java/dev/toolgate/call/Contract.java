package dev.toolgate.call;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The agent contract: who may call which tool and action, with which arguments; validated at load and immutable.
 *
 * @param agents agents by id
 * @param tools tools by name
 * @param grants agent id → tool name → granted action names ({@code *} grants every action of the tool)
 * @param killSwitches engaged kill switches
 * @param context deployment facts handed to the policy as {@code input.context} (e.g. {@code change_window})
 * @param revision SHA-256 of the contract file, for audit records
 * @param rateLimits rate limits, in contract order
 * @param budgets spend caps, in contract order
 */
public record Contract(Map<String, AgentSpec> agents, Map<String, ToolSpec> tools,
        Map<String, Map<String, Set<String>>> grants, List<KillSwitch> killSwitches, ObjectNode context,
        String revision, List<RateLimitSpec> rateLimits, List<BudgetSpec> budgets) {

    public static final String ALL_ACTIONS = "*";

    public Contract {
        agents = Map.copyOf(agents);
        tools = Map.copyOf(tools);
        grants = Map.copyOf(grants);
        killSwitches = List.copyOf(killSwitches);
        context = context.deepCopy();
        rateLimits = List.copyOf(rateLimits);
        budgets = List.copyOf(budgets);
    }

    /** A contract without limits or budgets. */
    public Contract(Map<String, AgentSpec> agents, Map<String, ToolSpec> tools,
            Map<String, Map<String, Set<String>>> grants, List<KillSwitch> killSwitches, ObjectNode context,
            String revision) {
        this(agents, tools, grants, killSwitches, context, revision, List.of(), List.of());
    }

    /** The grant of an MCP server's resources (every resource; {@code resources/*} methods). */
    public static final String RESOURCES = "resources/*";

    /** The grant of an MCP server's prompts (every prompt; {@code prompts/*} methods). */
    public static final String PROMPTS = "prompts/*";

    public Optional<ToolSpec> tool(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    public boolean granted(String agent, String tool, String action) {
        Set<String> actions = grants.getOrDefault(agent, Map.of()).get(tool);
        return actions != null && (actions.contains(ALL_ACTIONS) || actions.contains(action));
    }

    /**
     * Whether the agent may use an MCP server's resources ({@value #RESOURCES}) or prompts ({@value #PROMPTS}):
     * only a grant naming exactly that, never {@code *}, which grants the server's tools.
     */
    public boolean grantedMcp(String agent, String tool, String feature) {
        Set<String> actions = grants.getOrDefault(agent, Map.of()).get(tool);
        return actions != null && actions.contains(feature);
    }

    /** Whether the agent has any action of the tool; used to keep unknown and ungranted tools indistinguishable. */
    public boolean grantsAnyOf(String agent, String tool) {
        return grants.getOrDefault(agent, Map.of()).containsKey(tool);
    }
}
