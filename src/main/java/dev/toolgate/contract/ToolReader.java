package dev.toolgate.contract;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.FailureMode;
import dev.toolgate.call.GrpcDescriptors;
import dev.toolgate.call.GrpcSpec;
import dev.toolgate.call.HeaderNames;
import dev.toolgate.call.Risk;
import dev.toolgate.call.ToolSpec;

/** Reads one entry of the contract's {@code tools}: its kind, upstream, timeouts, failure modes and actions. */
final class ToolReader {

    private static final List<String> TOOL_KEYS = List.of("kind", "upstream", "risk", "reversible", "data_classes",
            "timeouts", "failure_modes", "headers", "actions", "services", "descriptor_set");
    /** A full gRPC service name: dot-separated identifiers. */
    private static final java.util.regex.Pattern SERVICE = java.util.regex.Pattern
            .compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    private static final String TOKEN = "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}";
    private static final List<String> TIMEOUT_KEYS = List.of("connect", "request");
    private static final List<String> FAILURE_MODE_KEYS = List.of("spend", "rate");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final LoadErrors problems;
    private final Nodes nodes;
    private final ActionReader actionReader;

    private final java.nio.file.Path base;

    ToolReader(LoadErrors problems, Nodes nodes, SchemaCompiler schemas, Declarations declared,
            java.nio.file.Path base) {
        this.base = base;
        this.problems = problems;
        this.nodes = nodes;
        this.actionReader = new ActionReader(problems, nodes, schemas, declared);
    }

    /** The tool, or empty when it has problems (all of which are reported). */
    Optional<ToolSpec> read(String name, JsonNode tool, String path) {
        int before = problems.count();
        nodes.name(name, path);
        if (!nodes.mapping(tool, path, TOOL_KEYS)) {
            return Optional.empty();
        }
        Optional<ToolSpec.Kind> kind = nodes.member(tool, path, "kind", false).isPresent()
                ? nodes.choice(tool, path, "kind", false, ToolSpec.Kind.class)
                : Optional.of(ToolSpec.Kind.HTTP);
        Optional<URI> upstream = nodes.string(tool, path, "upstream", true)
                .flatMap(url -> upstream(url, LoadErrors.key(path, "upstream"), kind.orElse(ToolSpec.Kind.HTTP)));
        Optional<Risk> risk = nodes.string(tool, path, "risk", true)
                .flatMap(code -> risk(code, LoadErrors.key(path, "risk")));
        Optional<Boolean> reversible = nodes.bool(tool, path, "reversible", true);
        List<String> dataClasses = nodes.strings(tool, path, "data_classes");
        Duration connect = CONNECT_TIMEOUT;
        Duration request = REQUEST_TIMEOUT;
        Optional<JsonNode> timeouts = nodes.member(tool, path, "timeouts", false);
        String timeoutsPath = LoadErrors.key(path, "timeouts");
        if (timeouts.isPresent() && nodes.mapping(timeouts.get(), timeoutsPath, TIMEOUT_KEYS)) {
            connect = timeout(timeouts.get(), timeoutsPath, "connect").orElse(CONNECT_TIMEOUT);
            request = timeout(timeouts.get(), timeoutsPath, "request").orElse(REQUEST_TIMEOUT);
        }
        // by default money is never spent unchecked, while a rate limit falls back to a per-instance limiter
        FailureMode spend = FailureMode.CLOSED;
        FailureMode rate = FailureMode.OPEN;
        Optional<JsonNode> modes = nodes.member(tool, path, "failure_modes", false);
        String modesPath = LoadErrors.key(path, "failure_modes");
        if (modes.isPresent() && nodes.mapping(modes.get(), modesPath, FAILURE_MODE_KEYS)) {
            spend = nodes.choice(modes.get(), modesPath, "spend", false, FailureMode.class).orElse(spend);
            rate = nodes.choice(modes.get(), modesPath, "rate", false, FailureMode.class).orElse(rate);
        }
        List<String> headers = headers(tool, path, kind.orElse(ToolSpec.Kind.HTTP));
        Optional<GrpcSpec> grpc = grpc(tool, path, kind.orElse(ToolSpec.Kind.HTTP));
        List<ActionSpec> actions = new ArrayList<>();
        // with a bad kind the actions are still read, as HTTP actions, so that their own problems are reported too
        nodes.list(tool, path, "actions", true).ifPresent(list -> actions.addAll(
                actionReader.read(name, kind.orElse(ToolSpec.Kind.HTTP), list, LoadErrors.key(path, "actions"))));
        grpc.ifPresent(g -> grpcActions(g, actions, LoadErrors.key(path, "actions")));
        if (problems.count() != before) {
            return Optional.empty();
        }
        return Optional.of(new ToolSpec(name, upstream.orElseThrow(), risk.orElseThrow(), reversible.orElseThrow(),
                dataClasses, connect, request, actions, spend, rate, kind.orElseThrow(), headers, grpc));
    }

    /**
     * A gRPC tool's {@code services} (required) and {@code descriptor_set} (optional: a file, relative to the
     * contract's directory), checked against each other; neither key belongs to another kind of tool.
     */
    private Optional<GrpcSpec> grpc(JsonNode tool, String path, ToolSpec.Kind kind) {
        if (kind != ToolSpec.Kind.GRPC) {
            for (String key : List.of("services", "descriptor_set")) {
                if (tool.has(key)) {
                    problems.add(LoadErrors.key(path, key), "only a grpc tool has " + key);
                }
            }
            return Optional.empty();
        }
        String at = LoadErrors.key(path, "services");
        if (nodes.member(tool, path, "services", true).isEmpty()) {
            return Optional.empty();
        }
        List<String> services = nodes.strings(tool, path, "services");
        if (services.isEmpty()) {
            problems.add(at, "must name at least one gRPC service");
        }
        for (int i = 0; i < services.size(); i++) {
            if (!SERVICE.matcher(services.get(i)).matches()) {
                problems.add(LoadErrors.index(at, i), "must be a full gRPC service name, e.g. ledger.v1.Ledger");
            }
        }
        Optional<GrpcDescriptors> descriptors = Optional.empty();
        Optional<String> file = nodes.string(tool, path, "descriptor_set", false);
        if (file.isPresent()) {
            String setAt = LoadErrors.key(path, "descriptor_set");
            try {
                descriptors = Optional.of(GrpcDescriptors.of(java.nio.file.Files.readAllBytes(base.resolve(file.get()))));
                for (String service : services) {
                    if (!descriptors.get().hasService(service)) {
                        problems.add(setAt, "does not describe the service " + service);
                    }
                }
            } catch (java.io.IOException e) {
                problems.add(setAt, "cannot be read: " + e.getClass().getSimpleName());
            } catch (IllegalArgumentException e) {
                problems.add(setAt, e.getMessage());
            }
        }
        return Optional.of(new GrpcSpec(services, descriptors));
    }

    /** Each action of a gRPC tool is a method of one of its services (of its descriptor set, when it has one). */
    private void grpcActions(GrpcSpec grpc, List<ActionSpec> actions, String at) {
        Optional<GrpcDescriptors> descriptors = grpc.descriptors();
        for (int i = 0; i < actions.size(); i++) {
            ActionSpec action = actions.get(i);
            String name = action.name();
            int slash = name.lastIndexOf('/');
            String service = slash < 0 ? "" : name.substring(0, slash);
            if (!grpc.services().contains(service)) {
                problems.add(LoadErrors.key(LoadErrors.index(at, i), "name"), "must be a method of one of the tool's"
                        + " services, package.Service/Method");
            } else if (descriptors.isPresent() && descriptors.get().method(name).isEmpty()) {
                problems.add(LoadErrors.key(LoadErrors.index(at, i), "name"), "is no method of the descriptor set");
            }
        }
    }

    /**
     * The request headers the tool takes besides those every tool gets, lower case: header names, never one toolgate
     * refuses to forward (a credential, a proxy, forwarding or override header). An MCP server's headers are MCP's.
     */
    private List<String> headers(JsonNode tool, String path, ToolSpec.Kind kind) {
        if (nodes.member(tool, path, "headers", false).isEmpty()) {
            return List.of();
        }
        String at = LoadErrors.key(path, "headers");
        if (kind == ToolSpec.Kind.MCP) {
            problems.add(at, "not used by an mcp tool (an MCP server sees the headers MCP defines)");
            return List.of();
        }
        List<String> names = nodes.strings(tool, path, "headers");
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String why = HeaderNames.neverForwarded(name);
            if (!name.matches(TOKEN)) {
                problems.add(LoadErrors.index(at, i), "must be a header name");
            } else if (why != null) {
                problems.add(LoadErrors.index(at, i), name + " is " + why + ": toolgate never forwards it");
            } else {
                headers.add(name.toLowerCase(Locale.ROOT));
            }
        }
        return headers;
    }

    private Optional<URI> upstream(String url, String path, ToolSpec.Kind kind) {
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
        // an HTTP upstream is a base that action paths are appended to; an MCP endpoint is used exactly as given
        return Optional.of(URI.create(kind == ToolSpec.Kind.MCP ? url : url.replaceFirst("/+$", "")));
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
        String at = LoadErrors.key(path, key);
        Optional<JsonNode> value = nodes.member(timeouts, path, key, false);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Optional<Duration> parsed = Nodes.duration(value.get().isTextual() ? value.get().textValue() : "");
        if (parsed.isEmpty()) {
            problems.add(at, "must be a duration such as 250ms, 2s or 1m");
            return Optional.empty();
        }
        Duration duration = parsed.get();
        if (duration.isZero()) {
            problems.add(at, "must be greater than 0");
            return Optional.empty();
        }
        return Optional.of(duration);
    }
}
