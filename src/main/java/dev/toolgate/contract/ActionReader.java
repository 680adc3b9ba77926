package dev.toolgate.contract;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.ArgumentSchema;
import dev.toolgate.call.CostSpec;
import dev.toolgate.call.Fallback;
import dev.toolgate.call.PathTemplate;
import dev.toolgate.call.ToolSpec;

/**
 * Reads the {@code actions} of one tool: route, argument schema, cost estimate and fallback. An HTTP action has a
 * method and a path; an MCP action has neither, and its name is the MCP tool name.
 */
final class ActionReader {

    private static final List<String> ACTION_KEYS = List.of("name", "method", "path", "schema", "cost", "fallback",
            "idempotency_key");
    private static final List<String> COST_KEYS = List.of("pointer", "fixed_usd_micros");
    private static final List<String> FALLBACK_KEYS = List.of("tool", "action", "dry_run");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    /** The MCP naming rule for tools. */
    private static final Pattern MCP_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    /** A gRPC method's full name: {@code package.Service/Method}. */
    private static final Pattern GRPC_NAME = Pattern
            .compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*/[A-Za-z_][A-Za-z0-9_]*");
    /** An MCP action without a schema takes any arguments object the upstream accepts. */
    private static final JsonNode ANY_OBJECT = JsonNodeFactory.instance.objectNode().put("type", "object");
    /** RFC 6901: {@code ~} only as {@code ~0} or {@code ~1}. */
    private static final Pattern POINTER = Pattern.compile("(/([^~/]|~[01])*)+");

    private final LoadErrors problems;
    private final Nodes nodes;
    private final SchemaCompiler schemas;
    private final Declarations declared;

    ActionReader(LoadErrors problems, Nodes nodes, SchemaCompiler schemas, Declarations declared) {
        this.problems = problems;
        this.nodes = nodes;
        this.schemas = schemas;
        this.declared = declared;
    }

    /** The tool's valid actions, in order; every problem of the others is reported. */
    List<ActionSpec> read(String tool, ToolSpec.Kind kind, JsonNode list, String path) {
        boolean mcp = kind == ToolSpec.Kind.MCP;
        boolean grpc = kind == ToolSpec.Kind.GRPC;
        List<ActionSpec> actions = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> routes = new HashMap<>();
        for (int index = 0; index < list.size(); index++) {
            int i = index;
            String at = LoadErrors.index(path, i);
            JsonNode action = list.get(i);
            if (!nodes.mapping(action, at, ACTION_KEYS)) {
                continue;
            }
            int before = problems.count();
            Optional<String> name = nodes.string(action, at, "name", true)
                    .filter(n -> mcp ? MCP_NAME.matcher(n).matches()
                            || fail(LoadErrors.key(at, "name"), "must match " + MCP_NAME.pattern())
                            : grpc ? GRPC_NAME.matcher(n).matches() || fail(LoadErrors.key(at, "name"),
                                    "must be a full gRPC method name, package.Service/Method")
                                    : nodes.name(n, LoadErrors.key(at, "name")));
            Integer named = name.map(n -> names.putIfAbsent(n, i)).orElse(null);
            if (named != null) {
                problems.add(LoadErrors.key(at, "name"),
                        "duplicate action name \"" + name.get() + "\" (also " + LoadErrors.index("actions", named) + ")");
            }
            Optional<Route> route = Optional.empty();
            if (mcp || grpc) {
                noRoute(action, at, kind);
            } else {
                route = httpRoute(action, at, routes, i);
            }
            Optional<JsonNode> schemaNode = mcp || grpc
                    ? Optional.of(nodes.member(action, at, "schema", false).orElse(ANY_OBJECT))
                    : nodes.member(action, at, "schema", true);
            Optional<ArgumentSchema> schema = schemaNode
                    .flatMap(s -> schemas.compile(s, LoadErrors.key(at, "schema"), problems));
            // a pointer is looked up only in a schema that compiled, so that a broken schema is reported once
            CostSpec cost = cost(action, at, schema.isPresent() ? schemaNode : Optional.empty());
            if (grpc && action.has("fallback")) {
                problems.add(LoadErrors.key(at, "fallback"), "not used by a grpc tool: a gRPC call has no fallback");
            }
            Optional<Fallback> fallback = grpc ? Optional.empty() : fallback(tool, name, action, at);
            ActionSpec.IdempotencyKey key = nodes.choice(action, at, "idempotency_key", false,
                    ActionSpec.IdempotencyKey.class).orElse(ActionSpec.IdempotencyKey.OPTIONAL);
            if (problems.count() == before) {
                actions.add(mcp ? ActionSpec.mcp(name.orElseThrow(), schema.orElseThrow(), cost, fallback, key)
                        : grpc ? ActionSpec.grpc(name.orElseThrow(), schema.orElseThrow(), cost, key)
                                : new ActionSpec(name.orElseThrow(), route.orElseThrow().method(),
                                        route.orElseThrow().template(), schema.orElseThrow(), cost, fallback, key));
            }
        }
        return actions;
    }

    /** An HTTP action's method and path template. */
    private record Route(String method, PathTemplate template) {
    }

    /** The HTTP action's route, or empty when it has problems (which are reported). */
    private Optional<Route> httpRoute(JsonNode action, String at, Map<String, Integer> routes, int i) {
        Optional<String> method = nodes.string(action, at, "method", true)
                .map(m -> m.toUpperCase(Locale.ROOT))
                .filter(m -> METHODS.contains(m) || fail(LoadErrors.key(at, "method"),
                        "must be one of " + String.join(", ", METHODS)));
        Optional<String> pathText = nodes.string(action, at, "path", true);
        Optional<String> pathProblem = pathText.flatMap(PathTemplate::problem);
        pathProblem.ifPresent(problem -> problems.add(LoadErrors.key(at, "path"), problem));
        Optional<PathTemplate> template = pathText.filter(p -> pathProblem.isEmpty()).map(PathTemplate::parse)
                .filter(t -> distinctVariables(t, LoadErrors.key(at, "path")));
        if (method.isEmpty() || template.isEmpty()) {
            return Optional.empty();
        }
        Integer first = routes.putIfAbsent(method.get() + " " + shape(template.get()), i);
        if (first != null) {
            problems.add(at, "has the same method and path as " + LoadErrors.index("actions", first)
                    + ", so it can never match");
        }
        return Optional.of(new Route(method.get(), template.get()));
    }

    /**
     * An MCP or gRPC action has no route of its own: its name is what a {@code tools/call} names, or the full name of
     * the gRPC method.
     */
    private void noRoute(JsonNode action, String at, ToolSpec.Kind kind) {
        for (String key : List.of("method", "path")) {
            if (action.hasNonNull(key)) {
                problems.add(LoadErrors.key(at, key), kind == ToolSpec.Kind.MCP ? "not used by an mcp tool"
                        : "not used by a grpc tool (the action's name is the method)");
            }
        }
    }

    private boolean distinctVariables(PathTemplate template, String path) {
        Set<String> seen = new HashSet<>();
        for (String segment : template.segments()) {
            if (segment.startsWith("{") && !seen.add(segment)) {
                problems.add(path, "has the variable " + segment + " twice");
                return false;
            }
        }
        return true;
    }

    /** The template with its variables unnamed: two templates of one shape match exactly the same paths. */
    private static String shape(PathTemplate template) {
        return String.join("/", template.segments().stream().map(s -> s.startsWith("{") ? "{}" : s).toList());
    }

    /** The action's cost estimate; {@link CostSpec#FREE} when it declares none or when it has problems. */
    private CostSpec cost(JsonNode action, String at, Optional<JsonNode> schema) {
        String path = LoadErrors.key(at, "cost");
        Optional<JsonNode> cost = nodes.member(action, at, "cost", false);
        if (cost.isEmpty() || !nodes.mapping(cost.get(), path, COST_KEYS)) {
            return CostSpec.FREE;
        }
        if (!cost.get().hasNonNull("pointer") && !cost.get().hasNonNull("fixed_usd_micros")) {
            problems.add(path, "needs a pointer, fixed_usd_micros or both");
            return CostSpec.FREE;
        }
        Optional<Long> fixed = nodes.integer(cost.get(), path, "fixed_usd_micros", false, 0, Nodes.MAX_EXACT);
        Optional<String> pointer = nodes.string(cost.get(), path, "pointer", false);
        String pointerPath = LoadErrors.key(path, "pointer");
        if (pointer.isPresent() && !POINTER.matcher(pointer.get()).matches()) {
            problems.add(pointerPath, "must be a JSON pointer such as /amount_usd_micros");
            return CostSpec.FREE;
        }
        boolean needsRequired = !cost.get().hasNonNull("fixed_usd_micros");
        if (pointer.isPresent() && schema.isPresent()) {
            integerProperty(pointer.get(), schema.get(), needsRequired, pointerPath);
        }
        return new CostSpec(fixed.orElse(0L), pointer);
    }

    /**
     * Checks that the pointer names an integer property the schema declares, walking {@code properties} one segment
     * at a time. Without a fixed estimate, the property must also be required at every level: otherwise a call that
     * leaves it out would be estimated to cost nothing.
     */
    private void integerProperty(String pointer, JsonNode schema, boolean mustBeRequired, String path) {
        JsonNode node = schema;
        StringBuilder walked = new StringBuilder();
        boolean required = true;
        for (String escaped : pointer.substring(1).split("/", -1)) {
            String name = escaped.replace("~1", "/").replace("~0", "~");
            walked.append('/').append(escaped);
            JsonNode property = node.path("properties").get(name);
            if (property == null) {
                problems.add(path, "the schema declares no property " + walked);
                return;
            }
            required &= node.path("required").valueStream().anyMatch(r -> name.equals(r.textValue()));
            node = property;
        }
        if (!"integer".equals(node.path("type").textValue())) {
            problems.add(path, "names " + pointer + ", which the schema does not declare with type: integer");
        } else if (mustBeRequired && !required) {
            problems.add(path, "names " + pointer + ", which the schema does not require; give fixed_usd_micros"
                    + " for calls without it");
        }
    }

    /** The action's fallback, when it declares one; its problems are reported. */
    private Optional<Fallback> fallback(String tool, Optional<String> self, JsonNode action, String at) {
        String path = LoadErrors.key(at, "fallback");
        Optional<JsonNode> fallback = nodes.member(action, at, "fallback", false);
        if (fallback.isEmpty() || !nodes.mapping(fallback.get(), path, FALLBACK_KEYS)) {
            return Optional.empty();
        }
        JsonNode node = fallback.get();
        if (node.hasNonNull("dry_run")) {
            if (node.hasNonNull("tool") || node.hasNonNull("action")) {
                problems.add(path, "must be either {tool, action} or {dry_run: true}, not both");
                return Optional.empty();
            }
            return nodes.bool(node, path, "dry_run", true)
                    .filter(dryRun -> dryRun || fail(LoadErrors.key(path, "dry_run"),
                            "must be true (leave the fallback out for none)"))
                    .map(dryRun -> new Fallback.DryRun());
        }
        Optional<String> toTool = nodes.string(node, path, "tool", true);
        Optional<String> toAction = nodes.string(node, path, "action", true);
        if (toTool.isEmpty() || toAction.isEmpty()) {
            return Optional.empty();
        }
        if (!declared.tool(toTool.get())) {
            problems.add(LoadErrors.key(path, "tool"), "unknown tool \"" + toTool.get() + "\"");
            return Optional.empty();
        }
        if (!declared.action(toTool.get(), toAction.get())) {
            problems.add(LoadErrors.key(path, "action"),
                    "unknown action \"" + toAction.get() + "\" of tool \"" + toTool.get() + "\"");
            return Optional.empty();
        }
        if (toTool.get().equals(tool) && self.equals(toAction)) {
            problems.add(path, "must not be the action itself");
            return Optional.empty();
        }
        if (declared.mcp(tool) && !toTool.get().equals(tool)) {
            // the agent's MCP session belongs to this server; another one would not know it
            problems.add(LoadErrors.key(path, "tool"), "must be this MCP server: an mcp action falls back to another "
                    + "of its own server's tools");
            return Optional.empty();
        }
        if (!declared.mcp(tool) && declared.mcp(toTool.get())) {
            problems.add(LoadErrors.key(path, "tool"), "must be an http tool: an http action cannot fall back to an "
                    + "mcp tool");
            return Optional.empty();
        }
        return Optional.of(new Fallback.ToAction(toTool.get(), toAction.get()));
    }

    /** Reports a problem; false, so that it can end a filter. */
    private boolean fail(String path, String message) {
        problems.add(path, message);
        return false;
    }
}
