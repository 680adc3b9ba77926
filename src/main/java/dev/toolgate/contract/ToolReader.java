package dev.toolgate.contract;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.ArgumentSchema;
import dev.toolgate.call.PathTemplate;
import dev.toolgate.call.Risk;
import dev.toolgate.call.ToolSpec;

/** Reads one entry of the contract's {@code tools}, its timeouts and its actions. */
final class ToolReader {

    private static final List<String> TOOL_KEYS = List.of("upstream", "risk", "reversible", "data_classes",
            "timeouts", "actions");
    private static final List<String> TIMEOUT_KEYS = List.of("connect", "request");
    private static final List<String> ACTION_KEYS = List.of("name", "method", "path", "schema");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Problems problems;
    private final Nodes nodes;
    private final SchemaCompiler schemas;

    ToolReader(Problems problems, Nodes nodes, SchemaCompiler schemas) {
        this.problems = problems;
        this.nodes = nodes;
        this.schemas = schemas;
    }

    /** The tool, or empty when it has problems (all of which are reported). */
    Optional<ToolSpec> read(String name, JsonNode tool, String path) {
        int before = problems.count();
        nodes.name(name, path);
        if (!nodes.mapping(tool, path, TOOL_KEYS)) {
            return Optional.empty();
        }
        Optional<URI> upstream = nodes.string(tool, path, "upstream", true)
                .flatMap(url -> upstream(url, Problems.key(path, "upstream")));
        Optional<Risk> risk = nodes.string(tool, path, "risk", true)
                .flatMap(code -> risk(code, Problems.key(path, "risk")));
        Optional<Boolean> reversible = nodes.bool(tool, path, "reversible", true);
        List<String> dataClasses = nodes.strings(tool, path, "data_classes");
        Duration connect = CONNECT_TIMEOUT;
        Duration request = REQUEST_TIMEOUT;
        Optional<JsonNode> timeouts = nodes.member(tool, path, "timeouts", false);
        String timeoutsPath = Problems.key(path, "timeouts");
        if (timeouts.isPresent() && nodes.mapping(timeouts.get(), timeoutsPath, TIMEOUT_KEYS)) {
            connect = timeout(timeouts.get(), timeoutsPath, "connect").orElse(CONNECT_TIMEOUT);
            request = timeout(timeouts.get(), timeoutsPath, "request").orElse(REQUEST_TIMEOUT);
        }
        List<ActionSpec> actions = new ArrayList<>();
        nodes.list(tool, path, "actions", true)
                .ifPresent(list -> actions.addAll(actions(list, Problems.key(path, "actions"))));
        if (problems.count() != before) {
            return Optional.empty();
        }
        return Optional.of(new ToolSpec(name, upstream.orElseThrow(), risk.orElseThrow(), reversible.orElseThrow(),
                dataClasses, connect, request, actions));
    }

    private Optional<URI> upstream(String url, String path) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.isOpaque() || uri.getHost() == null || uri.getScheme() == null
                || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
            problems.add(path, "must be an absolute http or https URL");
            return Optional.empty();
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            problems.add(path, "must not have a query or fragment");
            return Optional.empty();
        }
        if (uri.getRawUserInfo() != null) {
            // credentials in a URL end up in logs and traces
            problems.add(path, "must not contain user info");
            return Optional.empty();
        }
        return Optional.of(URI.create(url.replaceFirst("/+$", "")));
    }

    private Optional<Risk> risk(String code, String path) {
        for (Risk risk : Risk.values()) {
            if (risk.code().equals(code)) {
                return Optional.of(risk);
            }
        }
        problems.add(path, "must be one of low, medium, high, critical");
        return Optional.empty();
    }

    private Optional<Duration> timeout(JsonNode timeouts, String path, String key) {
        String at = Problems.key(path, key);
        Optional<JsonNode> value = nodes.member(timeouts, path, key, false);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = DURATION.matcher(value.get().isTextual() ? value.get().textValue() : "");
        if (!m.matches()) {
            problems.add(at, "must be a duration such as 250ms, 2s or 1m");
            return Optional.empty();
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (duration.isZero()) {
            problems.add(at, "must be greater than 0");
            return Optional.empty();
        }
        return Optional.of(duration);
    }

    private List<ActionSpec> actions(JsonNode list, String path) {
        List<ActionSpec> actions = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> routes = new HashMap<>();
        for (int index = 0; index < list.size(); index++) {
            int i = index;
            String at = Problems.index(path, i);
            JsonNode action = list.get(i);
            if (!nodes.mapping(action, at, ACTION_KEYS)) {
                continue;
            }
            int before = problems.count();
            Optional<String> name = nodes.string(action, at, "name", true)
                    .filter(n -> nodes.name(n, Problems.key(at, "name")));
            Integer named = name.map(n -> names.putIfAbsent(n, i)).orElse(null);
            if (named != null) {
                problems.add(Problems.key(at, "name"),
                        "duplicate action name \"" + name.get() + "\" (also " + Problems.index("actions", named) + ")");
            }
            Optional<String> method = nodes.string(action, at, "method", true)
                    .map(m -> m.toUpperCase(Locale.ROOT))
                    .filter(m -> METHODS.contains(m) || fail(Problems.key(at, "method"),
                            "must be one of " + String.join(", ", METHODS)));
            Optional<String> pathText = nodes.string(action, at, "path", true);
            Optional<String> pathProblem = pathText.flatMap(PathTemplate::problem);
            pathProblem.ifPresent(problem -> problems.add(Problems.key(at, "path"), problem));
            Optional<PathTemplate> template = pathText.filter(p -> pathProblem.isEmpty()).map(PathTemplate::parse)
                    .filter(t -> distinctVariables(t, Problems.key(at, "path")));
            if (method.isPresent() && template.isPresent()) {
                Integer first = routes.putIfAbsent(method.get() + " " + shape(template.get()), i);
                if (first != null) {
                    problems.add(at, "has the same method and path as " + Problems.index("actions", first)
                            + ", so it can never match");
                }
            }
            Optional<ArgumentSchema> schema = nodes.member(action, at, "schema", true)
                    .flatMap(s -> schemas.compile(s, Problems.key(at, "schema"), problems));
            if (problems.count() == before) {
                actions.add(new ActionSpec(name.orElseThrow(), method.orElseThrow(), template.orElseThrow(),
                        schema.orElseThrow()));
            }
        }
        return actions;
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

    /** Reports a problem; false, so that it can end a filter. */
    private boolean fail(String path, String message) {
        problems.add(path, message);
        return false;
    }
}
