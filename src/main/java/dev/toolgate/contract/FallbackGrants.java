package dev.toolgate.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.AgentSpec;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Fallback;
import dev.toolgate.call.ToolSpec;

/**
 * Fallbacks an agent could be sent to but may not call. A fallback is a call of its own and needs its grant, so for
 * such an agent a {@code degrade} budget refuses ({@code tool_not_granted}) where its author may have meant a cheaper
 * call. Not an error (a contract may grant a fallback to some agents only), but worth a warning at load.
 */
public final class FallbackGrants {

    private FallbackGrants() {
    }

    /** One line per agent and granted action whose fallback the agent is not granted, sorted. */
    public static List<String> ungranted(Contract contract) {
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, AgentSpec> agent : contract.agents().entrySet()) {
            for (ToolSpec tool : contract.tools().values()) {
                for (ActionSpec action : tool.actions()) {
                    if (action.fallback().orElse(null) instanceof Fallback.ToAction to
                            && contract.granted(agent.getKey(), tool.name(), action.name())
                            && !contract.granted(agent.getKey(), to.tool(), to.action())) {
                        warnings.add("grants." + agent.getKey() + ": " + tool.name() + "/" + action.name()
                                + " falls back to " + to.tool() + "/" + to.action()
                                + ", which the agent is not granted: over a degrade budget its calls are refused");
                    }
                }
            }
        }
        warnings.sort(null);
        return warnings;
    }
}
