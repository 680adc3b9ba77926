package dev.toolgate.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Degradation;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.KillSwitch;
import dev.toolgate.call.PercentEncoding;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.Stage;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.Stages;
import io.smallrye.mutiny.Uni;

/**
 * Resolves a call against the contract, in this order: the tool must be granted to the agent ({@code tool_not_granted},
 * with one answer for unknown and ungranted tools, so that a caller cannot probe which tools exist); no kill switch
 * may match ({@code kill_switch}); the path must be safe ({@code invalid_arguments}); the first action of the tool
 * whose method and path match must be granted ({@code tool_not_granted}); the arguments built from path, query and
 * body must satisfy its schema ({@code invalid_arguments}, each violation with its JSON pointer). The call then
 * continues with its {@link ResolvedAction}.
 * <p>
 * A tool of kind {@link ToolSpec.Kind#MCP} is called only with {@value ActionSpec#MCP_METHOD} and the MCP tool name
 * as the invocation's path; its action is the one of exactly that name, and its arguments are the body object alone
 * (empty meaning {@code {}}): no query and no path checks apply. An HTTP call of an MCP tool, or a
 * {@value ActionSpec#MCP_METHOD} of an HTTP tool, matches no action ({@code tool_not_granted}).
 * <p>
 * Pure computation on small inputs against a contract compiled at load, so it runs on the calling thread.
 */
@ApplicationScoped
public class ContractStage implements Stage {

    @Override
    public int position() {
        return Stages.CONTRACT;
    }

    @Override
    public String name() {
        return "contract";
    }

    private final DeclaredSchemaCheck declared = new DeclaredSchemaCheck();

    @Override
    public Uni<StageResult> apply(ToolCall call, CallContext ctx) {
        return Uni.createFrom().item(() -> decide(call, ctx.contract()))
                .chain(result -> result instanceof StageResult.Continue c ? declared.check(c.call(), ctx)
                        : Uni.createFrom().item(result));
    }

    /**
     * Shows an action when the agent is granted it and no kill switch of the contract matches; the candidate's
     * invocation names it as a call would ({@value ActionSpec#MCP_METHOD} and the MCP tool name). Arguments are not
     * checked: a listing has none.
     */
    @Override
    public Uni<List<ToolCall>> shows(List<ToolCall> candidates, CallContext ctx) {
        return Uni.createFrom().item(() -> {
            Contract contract = ctx.contract();
            List<ToolCall> shown = new ArrayList<>(candidates.size());
            for (ToolCall call : candidates) {
                if (decide(call, contract, false) instanceof StageResult.Continue c) {
                    shown.add(c.call());
                }
            }
            return shown;
        });
    }

    /** The contract's part of the decision, before the tool's own schema is asked for. */
    StageResult decide(ToolCall call, Contract contract) {
        return decide(call, contract, true);
    }

    private StageResult decide(ToolCall call, Contract contract, boolean validate) {
        Optional<Principal> identified = call.principal();
        if (identified.isEmpty()) {
            // the identity stage runs first; reaching here without a principal is a bug, and it must not pass
            return deny(Reason.UNAUTHENTICATED, "the call has no principal");
        }
        Principal principal = identified.get();
        Optional<ToolSpec> found = contract.tool(call.tool()).filter(t -> contract.grantsAnyOf(principal.agent(),
                t.name()));
        if (found.isEmpty()) {
            return deny(Reason.TOOL_NOT_GRANTED,
                    "agent " + principal.agent() + " has no grant for tool " + call.tool());
        }
        ToolSpec tool = found.get();
        for (KillSwitch killSwitch : contract.killSwitches()) {
            if (killSwitch.matches(principal, tool.name())) {
                return deny(Reason.KILL_SWITCH,
                        "kill switch " + killSwitch.selector() + " is engaged: " + killSwitch.reason());
            }
        }
        if (call.degradation().isPresent()) {
            return resolveFallback(call, contract, principal, tool, validate);
        }
        Invocation invocation = call.invocation();
        if (tool.kind() == ToolSpec.Kind.GRPC || invocation.method().equals(ActionSpec.GRPC_METHOD)) {
            return resolveGrpc(call, contract, principal, tool, validate);
        }
        if (tool.kind() == ToolSpec.Kind.MCP || invocation.method().equals(ActionSpec.MCP_METHOD)) {
            return resolveMcp(call, contract, principal, tool, validate);
        }
        SafePath path = SafePath.of(invocation.path());
        if (path.problem().isPresent()) {
            return deny(Reason.INVALID_ARGUMENTS, path.problem().get());
        }
        Optional<Match> matched = match(tool, invocation.method(), path);
        if (matched.isEmpty()) {
            // the path is not repeated: its segments may carry identifiers that the audit log must not keep
            return deny(Reason.TOOL_NOT_GRANTED, "no action of tool " + tool.name() + " matches this "
                    + invocation.method() + " path");
        }
        ActionSpec action = matched.get().action();
        if (!contract.granted(principal.agent(), tool.name(), action.name())) {
            return deny(Reason.TOOL_NOT_GRANTED, "agent " + principal.agent() + " has no grant for action "
                    + action.name() + " of tool " + tool.name());
        }
        // what is forwarded is what was checked: the path re-encoded from its decoded segments
        ToolCall canonical = call.withInvocation(new Invocation(invocation.method(),
                PercentEncoding.path(path.segments()), invocation.query(), invocation.body()));
        return validated(canonical, principal, tool, action, validate,
                Arguments.build(matched.get().variables(), invocation.query(), invocation.body()));
    }

    /**
     * A call of a gRPC tool's method through the gRPC ingress (the invocation names the full method), or a call that
     * mixes up the kinds (which matches nothing). Its arguments are the request message read with the tool's descriptor
     * set, or none without one.
     */
    private static StageResult resolveGrpc(ToolCall call, Contract contract, Principal principal, ToolSpec tool,
            boolean validate) {
        Invocation invocation = call.invocation();
        Optional<ActionSpec> named = tool.kind() == ToolSpec.Kind.GRPC && call.protocol() == Protocol.GRPC
                && invocation.method().equals(ActionSpec.GRPC_METHOD) ? tool.action(invocation.path())
                        : Optional.empty();
        if (named.isEmpty() || !contract.granted(principal.agent(), tool.name(), named.get().name())) {
            // the method is not repeated: an agent must not learn which methods exist
            return deny(Reason.TOOL_NOT_GRANTED, "no granted method of tool " + tool.name() + " matches this call");
        }
        return validated(call, principal, tool, named.get(), validate,
                Arguments.build(Map.of(), Map.of(), invocation.body()));
    }

    /** A {@code tools/call} of an MCP tool, or any call that mixes up the two kinds (which matches nothing). */
    private static StageResult resolveMcp(ToolCall call, Contract contract, Principal principal, ToolSpec tool,
            boolean validate) {
        Invocation invocation = call.invocation();
        if (tool.kind() == ToolSpec.Kind.MCP && call.protocol() == Protocol.MCP
                && !invocation.method().equals(ActionSpec.MCP_METHOD)) {
            return resolveMcpMethod(call, contract, principal, tool);
        }
        Optional<ActionSpec> named = tool.kind() == ToolSpec.Kind.MCP
                && invocation.method().equals(ActionSpec.MCP_METHOD) ? tool.action(invocation.path())
                        : Optional.empty();
        if (named.isEmpty()) {
            // neither the path nor the MCP tool name is repeated: an agent must not learn which hidden tools exist
            return deny(Reason.TOOL_NOT_GRANTED, "no action of tool " + tool.name() + " matches this "
                    + (invocation.method().equals(ActionSpec.MCP_METHOD) ? ActionSpec.MCP_METHOD
                            : invocation.method() + " path"));
        }
        ActionSpec action = named.get();
        if (!contract.granted(principal.agent(), tool.name(), action.name())) {
            // the same answer as for a tool the contract does not name, for the same reason
            return deny(Reason.TOOL_NOT_GRANTED, "no action of tool " + tool.name() + " matches this "
                    + ActionSpec.MCP_METHOD);
        }
        return validated(call, principal, tool, action, validate,
                Arguments.build(Map.of(), Map.of(), invocation.body()));
    }

    /**
     * An MCP message other than a {@code tools/call} (a resource, a prompt, a completion, or what keeps the session
     * going): its method must be one the contract passes to servers, with the grant it needs; its arguments are its
     * params, which the server checks itself.
     */
    private static StageResult resolveMcpMethod(ToolCall call, Contract contract, Principal principal, ToolSpec tool) {
        String method = call.invocation().method();
        return switch (Arguments.build(Map.of(), Map.of(), call.invocation().body())) {
            case Arguments.Built.Refused refused -> StageResult.deny(refused.denial());
            case Arguments.Built.Args built -> {
                Optional<McpMethods.Need> need = McpMethods.of(method, built.args());
                if (need.isEmpty()) {
                    // the method is not repeated: it is the agent's text, of any length
                    yield StageResult.deny(Denial.of(Reason.TOOL_NOT_GRANTED,
                            "the method is not one toolgate passes to MCP servers").with("unknown_method", true));
                }
                Optional<String> grant = need.get().grant();
                if (grant.isPresent() && !contract.grantedMcp(principal.agent(), tool.name(), grant.get())) {
                    yield deny(Reason.TOOL_NOT_GRANTED, "agent " + principal.agent() + " has no grant of "
                            + grant.get() + " on MCP server " + tool.name());
                }
                yield StageResult.next(call.withAction(ResolvedAction.of(tool,
                        ActionSpec.mcpMethod(method, need.get().role()), built.args(), principal.tenant())));
            }
        };
    }

    /**
     * A fallback call ({@code degrade}): the action it names must be granted to the agent like any other, its path (built
     * from the arguments) must pass the checks of a direct call's path and match the action's template, and the
     * arguments it carries must satisfy the fallback action's schema.
     */
    private static StageResult resolveFallback(ToolCall call, Contract contract, Principal principal, ToolSpec tool,
            boolean validate) {
        Degradation from = call.degradation().orElseThrow();
        Optional<ActionSpec> named = tool.action(from.fallback());
        if (named.isEmpty() || !contract.granted(principal.agent(), tool.name(), from.fallback())) {
            return deny(Reason.TOOL_NOT_GRANTED, "agent " + principal.agent() + " has no grant for action "
                    + from.fallback() + " of tool " + tool.name() + ", the fallback of " + from.tool() + "/"
                    + from.action());
        }
        ActionSpec action = named.get();
        Invocation invocation = call.invocation();
        if (tool.kind() == ToolSpec.Kind.MCP) {
            if (!invocation.method().equals(ActionSpec.MCP_METHOD) || !invocation.path().equals(action.name())) {
                return deny(Reason.INVALID_ARGUMENTS, "the fallback call does not name its action");
            }
        } else {
            SafePath path = SafePath.of(invocation.path());
            if (path.problem().isPresent()) {
                return deny(Reason.INVALID_ARGUMENTS, "the path of fallback action " + action.name()
                        + " built from the arguments is refused: " + path.problem().get());
            }
            if (!invocation.method().equals(action.method()) || action.path().match(path.segments()).isEmpty()) {
                return deny(Reason.INVALID_ARGUMENTS, "the path of fallback action " + action.name()
                        + " built from the arguments does not match its template");
            }
        }
        ToolCall canonical = tool.kind() == ToolSpec.Kind.MCP ? call
                : call.withInvocation(new Invocation(invocation.method(),
                        PercentEncoding.path(SafePath.of(invocation.path()).segments()), invocation.query(),
                        invocation.body()));
        return validated(canonical, principal, tool, action, validate, new Arguments.Built.Args(from.args()));
    }

    /** The call with its action resolved, when the arguments were built and satisfy the action's schema. */
    private static StageResult validated(ToolCall call, Principal principal, ToolSpec tool, ActionSpec action,
            boolean validate, Arguments.Built arguments) {
        return switch (arguments) {
            case Arguments.Built.Refused refused -> StageResult.deny(refused.denial());
            case Arguments.Built.Args built -> {
                List<String> errors = validate ? action.schema().validate(built.args()) : List.of();
                yield errors.isEmpty()
                        ? StageResult.next(call.withAction(ResolvedAction.of(tool, action, built.args(),
                                principal.tenant())))
                        : StageResult.deny(Denial.of(Reason.INVALID_ARGUMENTS,
                                "the arguments do not match the schema of action " + action.name(), errors));
            }
        };
    }

    private record Match(ActionSpec action, Map<String, String> variables) {
    }

    /** The first action of the tool whose method and path template match: contract order decides. */
    private static Optional<Match> match(ToolSpec tool, String method, SafePath path) {
        for (ActionSpec action : tool.actions()) {
            if (action.method().equals(method)) {
                Optional<Map<String, String>> variables = action.path().match(path.segments());
                if (variables.isPresent()) {
                    return Optional.of(new Match(action, variables.get()));
                }
            }
        }
        return Optional.empty();
    }

    private static StageResult deny(Reason reason, String detail) {
        return StageResult.deny(Denial.of(reason, detail));
    }
}
