package dev.toolgate.call;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A tool of the contract: an HTTP service, an MCP server or a gRPC server.
 *
 * @param name the tool name, the first path segment below {@code /tools/}
 * @param upstream the base URL calls are forwarded to ({@link Kind#HTTP}), or the server's MCP endpoint
 *        ({@link Kind#MCP})
 * @param risk the tool's risk class
 * @param reversible whether the tool's effects can be undone
 * @param dataClasses the data classes the tool touches (e.g. {@code pci}, {@code pii})
 * @param connectTimeout how long to wait for a connection to the upstream
 * @param requestTimeout how long to wait for the upstream's whole answer
 * @param actions the tool's actions, in contract order
 * @param spendFailureMode what happens to its calls when spend caps cannot be checked (default closed)
 * @param rateFailureMode what happens to its calls when rate limits cannot be checked (default open, on a local
 *        per-instance limiter)
 * @param kind what the upstream speaks, and so how its calls name their action
 * @param headers the request headers of the agent's the tool takes besides those every tool gets (content
 *        negotiation, conditionals, tracing), lower case; never a credential, proxy or override header; for a gRPC
 *        tool, the metadata
 * @param grpc what a {@link Kind#GRPC} tool serves; empty for the other kinds
 */
public record ToolSpec(String name, URI upstream, Risk risk, boolean reversible, List<String> dataClasses,
        Duration connectTimeout, Duration requestTimeout, List<ActionSpec> actions, FailureMode spendFailureMode,
        FailureMode rateFailureMode, Kind kind, List<String> headers, Optional<GrpcSpec> grpc) {

    /** What a tool's upstream speaks. */
    public enum Kind {
        /** An HTTP service: an action is a method and a path template below the upstream. */
        HTTP,
        /**
         * An MCP server (Streamable HTTP): an action is one of the server's tools, named exactly as the server names
         * it; the server's other tools are hidden and refused.
         */
        MCP,
        /**
         * A gRPC server (HTTP/2, cleartext for {@code http}, TLS for {@code https}): an action is one method, named by its
         * full name {@code package.Service/Method}; calls reach it through toolgate's gRPC port.
         */
        GRPC
    }

    public ToolSpec {
        dataClasses = List.copyOf(dataClasses);
        actions = List.copyOf(actions);
        java.util.Objects.requireNonNull(spendFailureMode, "spendFailureMode");
        java.util.Objects.requireNonNull(rateFailureMode, "rateFailureMode");
        java.util.Objects.requireNonNull(kind, "kind");
        headers = List.copyOf(headers);
        java.util.Objects.requireNonNull(grpc, "grpc");
    }

    /** A tool that is not a gRPC tool. */
    public ToolSpec(String name, URI upstream, Risk risk, boolean reversible, List<String> dataClasses,
            Duration connectTimeout, Duration requestTimeout, List<ActionSpec> actions, FailureMode spendFailureMode,
            FailureMode rateFailureMode, Kind kind, List<String> headers) {
        this(name, upstream, risk, reversible, dataClasses, connectTimeout, requestTimeout, actions, spendFailureMode,
                rateFailureMode, kind, headers, Optional.empty());
    }

    /** A tool that takes no headers of its own. */
    public ToolSpec(String name, URI upstream, Risk risk, boolean reversible, List<String> dataClasses,
            Duration connectTimeout, Duration requestTimeout, List<ActionSpec> actions, FailureMode spendFailureMode,
            FailureMode rateFailureMode, Kind kind) {
        this(name, upstream, risk, reversible, dataClasses, connectTimeout, requestTimeout, actions, spendFailureMode,
                rateFailureMode, kind, List.of());
    }

    /** An HTTP tool. */
    public ToolSpec(String name, URI upstream, Risk risk, boolean reversible, List<String> dataClasses,
            Duration connectTimeout, Duration requestTimeout, List<ActionSpec> actions, FailureMode spendFailureMode,
            FailureMode rateFailureMode) {
        this(name, upstream, risk, reversible, dataClasses, connectTimeout, requestTimeout, actions,
                spendFailureMode, rateFailureMode, Kind.HTTP);
    }

    /** An HTTP tool with the default failure modes: spend caps closed, rate limits open. */
    public ToolSpec(String name, URI upstream, Risk risk, boolean reversible, List<String> dataClasses,
            Duration connectTimeout, Duration requestTimeout, List<ActionSpec> actions) {
        this(name, upstream, risk, reversible, dataClasses, connectTimeout, requestTimeout, actions,
                FailureMode.CLOSED, FailureMode.OPEN);
    }

    public Optional<ActionSpec> action(String actionName) {
        return actions.stream().filter(a -> a.name().equals(actionName)).findFirst();
    }
}
