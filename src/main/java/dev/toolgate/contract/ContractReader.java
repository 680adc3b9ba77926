package dev.toolgate.contract;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.AgentSpec;
import dev.toolgate.call.BudgetSpec;
import dev.toolgate.call.Contract;
import dev.toolgate.call.KillSwitch;
import dev.toolgate.call.RateLimitSpec;
import dev.toolgate.call.SpiffeId;
import dev.toolgate.call.ToolSpec;

/**
 * Reads one contract tree into records, reporting every problem. References (grants, kill switches, fallbacks,
 * limits) are checked against every name the document declares ({@link Declarations}), even a declaration with
 * problems of its own, so that one mistake is reported once rather than again at each place that refers to it.
 */
final class ContractReader {

    private static final List<String> KEYS = List.of("version", "agents", "tools", "grants", "kill_switches",
            "limits", "context");
    private static final List<String> AGENT_KEYS = List.of("tenant", "workflow", "roles", "api_keys", "spiffe_ids");
    private static final List<String> KILL_SWITCH_KEYS = List.of("agent", "tool", "tenant", "workflow", "reason");
    private static final Pattern API_KEY = Pattern.compile("sha256:([0-9a-f]{64})");

    private final LoadErrors problems;
    private final Nodes nodes;
    private final Map<String, AgentSpec> agents = new HashMap<>();
    private final Map<String, ToolSpec> tools = new HashMap<>();
    private Declarations declared;

    private final java.nio.file.Path base;

    /** @param base the directory relative paths of the contract are read from */
    ContractReader(LoadErrors problems, java.nio.file.Path base) {
        this.problems = problems;
        this.base = base;
        this.nodes = new Nodes(problems);
    }

    /** The contract, or empty when the tree has problems (all of which are reported). */
    Optional<Contract> read(JsonNode root, String revision) {
        if (!root.isObject()) {
            problems.add(LoadErrors.DOCUMENT, "must be a mapping");
            return Optional.empty();
        }
        nodes.mapping(root, "", KEYS);
        declared = new Declarations(root);
        Optional<JsonNode> version = nodes.member(root, "", "version", true);
        if (version.isPresent() && !(version.get().isIntegralNumber() && version.get().asLong() == 1)) {
            problems.add("version", "must be 1");
        }
        mapping(root, "agents").ifPresent(this::agents);
        mapping(root, "tools").ifPresent(this::tools);
        Map<String, Map<String, Set<String>>> grants = mapping(root, "grants").map(this::grants).orElse(Map.of());
        List<KillSwitch> killSwitches = nodes.list(root, "", "kill_switches", false).map(this::killSwitches)
                .orElse(List.of());
        LimitsReader limits = new LimitsReader(problems, nodes, declared);
        mapping(root, "limits").ifPresent(limits::read);
        ObjectNode context = mapping(root, "context").map(ObjectNode.class::cast)
                .orElseGet(JsonNodeFactory.instance::objectNode);
        if (!problems.isEmpty()) {
            return Optional.empty();
        }
        List<RateLimitSpec> rateLimits = limits.rateLimits();
        List<BudgetSpec> budgets = limits.budgets();
        return Optional.of(new Contract(agents, tools, grants, killSwitches, context, revision, rateLimits, budgets));
    }

    private Optional<JsonNode> mapping(JsonNode root, String key) {
        return nodes.member(root, "", key, false).filter(node -> nodes.mapping(node, key));
    }

    private void agents(JsonNode section) {
        Map<String, String> keyOwners = new HashMap<>();
        Map<String, String> spiffeOwners = new HashMap<>();
        for (Map.Entry<String, JsonNode> entry : section.properties()) {
            String id = entry.getKey();
            String path = LoadErrors.key("agents", id);
            int before = problems.count();
            nodes.name(id, path);
            JsonNode agent = entry.getValue();
            if (!nodes.mapping(agent, path, AGENT_KEYS)) {
                continue;
            }
            Optional<String> tenant = nodes.string(agent, path, "tenant", true);
            String workflow = nodes.string(agent, path, "workflow", false).orElse("");
            List<String> roles = nodes.strings(agent, path, "roles");
            List<String> digests = new ArrayList<>();
            List<String> keys = nodes.strings(agent, path, "api_keys");
            for (int i = 0; i < keys.size(); i++) {
                digest(keys.get(i), LoadErrors.index(LoadErrors.key(path, "api_keys"), i), id, keyOwners)
                        .ifPresent(digests::add);
            }
            List<String> spiffeIds = new ArrayList<>();
            List<String> listed = nodes.strings(agent, path, "spiffe_ids");
            for (int i = 0; i < listed.size(); i++) {
                spiffeId(listed.get(i), LoadErrors.index(LoadErrors.key(path, "spiffe_ids"), i), id, spiffeOwners)
                        .ifPresent(spiffeIds::add);
            }
            if (problems.count() == before) {
                agents.put(id, new AgentSpec(id, tenant.orElseThrow(), workflow, roles, digests, spiffeIds));
            }
        }
    }

    /** One {@code spiffe_ids} entry: a SPIFFE ID of one agent only. */
    private Optional<String> spiffeId(String entry, String path, String agent, Map<String, String> owners) {
        if (!SpiffeId.valid(entry)) {
            problems.add(path, "must be a SPIFFE ID: spiffe://trust-domain/path (lower-case trust domain; path"
                    + " segments of letters, digits, '.', '-', '_')");
            return Optional.empty();
        }
        String owner = owners.putIfAbsent(entry, agent);
        if (owner == null) {
            return Optional.of(entry);
        }
        problems.add(path, owner.equals(agent) ? "is listed twice" : "is also a SPIFFE ID of agent \"" + owner + "\"");
        return Optional.empty();
    }

    /** The hex digest of one {@code api_keys} entry; messages never repeat a digest. */
    private Optional<String> digest(String entry, String path, String agent, Map<String, String> owners) {
        var m = API_KEY.matcher(entry);
        if (!m.matches()) {
            problems.add(path, "must be \"sha256:\" followed by 64 hex digits");
            return Optional.empty();
        }
        String owner = owners.putIfAbsent(m.group(1), agent);
        if (owner == null) {
            return Optional.of(m.group(1));
        }
        problems.add(path, owner.equals(agent) ? "is listed twice" : "is also a key of agent \"" + owner + "\"");
        return Optional.empty();
    }

    private void tools(JsonNode section) {
        ToolReader reader = new ToolReader(problems, nodes, new SchemaCompiler(), declared, base);
        for (Map.Entry<String, JsonNode> entry : section.properties()) {
            String name = entry.getKey();
            reader.read(name, entry.getValue(), LoadErrors.key("tools", name)).ifPresent(tool -> tools.put(name, tool));
        }
    }

    private Map<String, Map<String, Set<String>>> grants(JsonNode section) {
        Map<String, Map<String, Set<String>>> grants = new HashMap<>();
        for (Map.Entry<String, JsonNode> entry : section.properties()) {
            String agent = entry.getKey();
            String path = LoadErrors.key("grants", agent);
            if (!declared.agent(agent)) {
                problems.add(path, "unknown agent \"" + agent + "\"");
            }
            if (!nodes.mapping(entry.getValue(), path)) {
                continue;
            }
            Map<String, Set<String>> byTool = new HashMap<>();
            for (Map.Entry<String, JsonNode> grant : entry.getValue().properties()) {
                granted(grant.getKey(), grant.getValue(), LoadErrors.key(path, grant.getKey()))
                        .ifPresent(actions -> byTool.put(grant.getKey(), actions));
            }
            grants.put(agent, Map.copyOf(byTool));
        }
        return grants;
    }

    private Optional<Set<String>> granted(String tool, JsonNode list, String path) {
        if (!declared.tool(tool)) {
            problems.add(path, "unknown tool \"" + tool + "\"");
            return Optional.empty();
        }
        if (!list.isArray()) {
            problems.add(path, "must be a list of action names, or [\"*\"] for all of them");
            return Optional.empty();
        }
        Set<String> actions = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Optional<String> action = nodes.string(list.get(i), LoadErrors.index(path, i));
            boolean mcpGrant = action.isPresent()
                    && (action.get().equals(Contract.RESOURCES) || action.get().equals(Contract.PROMPTS));
            if (mcpGrant && !declared.mcp(tool)) {
                problems.add(path, "\"" + action.get() + "\" is a grant of an mcp tool");
            } else if (action.isPresent() && !mcpGrant && !action.get().equals(Contract.ALL_ACTIONS)
                    && !declared.action(tool, action.get())) {
                problems.add(path, "unknown action \"" + action.get() + "\"");
            }
            action.ifPresent(actions::add);
        }
        return Optional.of(Set.copyOf(actions));
    }

    private List<KillSwitch> killSwitches(JsonNode list) {
        List<KillSwitch> switches = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = LoadErrors.index("kill_switches", i);
            JsonNode node = list.get(i);
            if (!nodes.mapping(node, path, KILL_SWITCH_KEYS)) {
                continue;
            }
            int before = problems.count();
            Optional<String> agent = nodes.string(node, path, "agent", false);
            Optional<String> tool = nodes.string(node, path, "tool", false);
            Optional<String> tenant = nodes.string(node, path, "tenant", false);
            Optional<String> workflow = nodes.string(node, path, "workflow", false);
            Optional<String> reason = nodes.string(node, path, "reason", true);
            agent.filter(a -> !declared.agent(a))
                    .ifPresent(a -> problems.add(LoadErrors.key(path, "agent"), "unknown agent \"" + a + "\""));
            tool.filter(t -> !declared.tool(t))
                    .ifPresent(t -> problems.add(LoadErrors.key(path, "tool"), "unknown tool \"" + t + "\""));
            if (Set.of("agent", "tool", "tenant", "workflow").stream().noneMatch(node::hasNonNull)) {
                problems.add(path, "needs at least one selector: agent, tool, tenant or workflow");
            }
            if (problems.count() == before) {
                switches.add(new KillSwitch(agent, tool, tenant, workflow, reason.orElseThrow()));
            }
        }
        return switches;
    }
}
