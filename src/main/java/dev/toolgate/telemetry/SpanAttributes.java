package dev.toolgate.telemetry;

import java.util.Set;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.Outcome;
import dev.toolgate.pipeline.UpstreamResult;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;

/**
 * What toolgate's spans are called and what they say. OpenTelemetry's semantic conventions where they exist
 * ({@code gen_ai.*} for the tool execution, {@code mcp.*}, {@code rpc.*}, {@code http.*}, {@code server.*}),
 * {@code toolgate.*} for the rest.
 * <p>
 * Only values toolgate checked become attributes: names the contract declares (tool, action, agent, tenant,
 * workflow), codes (decision, reason, approval tier, stage), ids toolgate made (decision id) or checked (run id, cut
 * to 128 characters), numbers. Never an argument value, a header or a credential; a value the agent sent that toolgate
 * did not resolve (an unknown tool's name, a method it refused) is left out.
 */
final class SpanAttributes {

    static final String CALL_SPAN = "execute_tool";
    static final String DECISION_ID = "toolgate.decision_id";
    static final String PROTOCOL = "toolgate.protocol";
    static final String STAGE = "toolgate.stage";
    static final String STAGE_RESULT = "toolgate.stage.result";

    private static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
            "OPTIONS", "TRACE", "PATCH");
    private static final int MAX_RUN_ID = 128;

    private SpanAttributes() {
    }

    static String stageSpan(String stage) {
        return "toolgate.stage " + stage;
    }

    /** The exchange's name: the HTTP method, the MCP method and tool, or the gRPC method. */
    static String upstreamSpan(ToolCall call) {
        ResolvedAction a = call.action().orElseThrow();
        return switch (call.protocol()) {
            case MCP -> call.invocation().method() + " " + a.action().name();
            case GRPC -> a.action().name();
            default -> httpMethod(call.invocation().method());
        };
    }

    static SpanBuilder upstream(SpanBuilder span, ToolCall call) {
        ResolvedAction a = call.action().orElseThrow();
        span.setAttribute("gen_ai.tool.name", a.tool().name())
                .setAttribute("toolgate.tool", a.tool().name())
                .setAttribute("toolgate.action", a.action().name())
                .setAttribute("server.address", host(a))
                .setAttribute("server.port", (long) port(a));
        switch (call.protocol()) {
            case MCP -> span.setAttribute("mcp.method.name", call.invocation().method());
            case GRPC -> {
                String method = a.action().name();
                int slash = method.lastIndexOf('/');
                span.setAttribute("rpc.system", "grpc")
                        .setAttribute("rpc.service", slash > 0 ? method.substring(0, slash) : method)
                        .setAttribute("rpc.method", slash > 0 ? method.substring(slash + 1) : method);
            }
            default -> span.setAttribute("http.request.method", httpMethod(call.invocation().method()));
        }
        return span;
    }

    /** The tool's answer on the exchange span; a tool that could not be reached is an error. */
    static void answered(Span span, UpstreamResult<?> result) {
        switch (result) {
            case UpstreamResult.Replied<?> r -> {
                span.setAttribute("toolgate.upstream.status", r.status());
                if (r.status().matches("[1-5][0-9][0-9]")) {
                    long code = Long.parseLong(r.status());
                    span.setAttribute("http.response.status_code", code);
                    if (code >= 500) {
                        span.setStatus(StatusCode.ERROR);
                    }
                }
                r.costUsdMicros().ifPresent(cost -> span.setAttribute("toolgate.cost_usd_micros", cost));
            }
            case UpstreamResult.Handed<?> h -> span.setAttribute("toolgate.upstream.status", "handed");
            case UpstreamResult.Failed<?> f -> {
                span.setAttribute("toolgate.reason", f.denial().reason().code());
                span.setAttribute("error.type", f.denial().reason().code());
                span.setStatus(StatusCode.ERROR, f.denial().reason().title());
            }
        }
    }

    /** The call's end: who, what, how it was decided. */
    static void ended(Span span, Outcome<?> outcome) {
        ToolCall call = outcome.call();
        span.setAttribute("gen_ai.operation.name", "execute_tool");
        span.setAttribute("toolgate.policy_revision", outcome.policyRevision());
        call.principal().ifPresent(p -> {
            span.setAttribute("toolgate.agent", p.agent());
            span.setAttribute("toolgate.tenant", p.tenant());
            if (!p.workflow().isEmpty()) {
                span.setAttribute("toolgate.workflow", p.workflow());
            }
            if (!call.runId().isEmpty()) {
                span.setAttribute("toolgate.run_id", call.runId().length() > MAX_RUN_ID
                        ? call.runId().substring(0, MAX_RUN_ID)
                        : call.runId());
            }
        });
        call.action().ifPresent(a -> {
            span.updateName(CALL_SPAN + " " + a.tool().name());
            span.setAttribute("gen_ai.tool.name", a.tool().name());
            span.setAttribute("toolgate.tool", a.tool().name());
            span.setAttribute("toolgate.action", a.action().name());
            if (call.protocol() == Protocol.MCP) {
                span.setAttribute("mcp.method.name", call.invocation().method());
            } else if (call.protocol() == Protocol.GRPC) {
                span.setAttribute("rpc.system", "grpc");
            } else {
                span.setAttribute("http.request.method", httpMethod(call.invocation().method()));
            }
            try {
                span.setAttribute("toolgate.cost.estimate_usd_micros", a.action().cost().estimate(a.args(),
                        1L << 51));
            } catch (IllegalArgumentException e) {
                // refused by the limits stage; no estimate to show
            }
        });
        call.decision().ifPresent(d -> span.setAttribute("toolgate.approval.tier", d.approval().code()));
        if (call.approvalUse() != ToolCall.ApprovalUse.NONE) {
            call.approvalId().ifPresent(id -> span.setAttribute("toolgate.approval_id", id));
        }
        switch (outcome) {
            case Outcome.Answered<?> a -> decided(span, "allow", "answered", null);
            case Outcome.Replayed<?> r -> decided(span, "allow", "replayed", null);
            case Outcome.Proposed<?> p -> decided(span, p.denial().isPresent() ? "deny" : "allow", "dry_run",
                    p.denial().orElse(null));
            case Outcome.Refused<?> r -> decided(span, r.call().decision().isPresent() && wasSent(r.denial())
                    ? "allow"
                    : "deny", "refused", r.denial());
        }
    }

    private static void decided(Span span, String decision, String outcome, Denial denial) {
        span.setAttribute("toolgate.decision", decision);
        span.setAttribute("toolgate.outcome", outcome);
        if (denial != null) {
            span.setAttribute("toolgate.reason", denial.reason().code());
            if (denial.reason() == Reason.GATEWAY_ERROR || wasSent(denial)) {
                span.setAttribute("error.type", denial.reason().code());
                span.setStatus(StatusCode.ERROR, denial.reason().title());
            }
        }
    }

    /** A denial that comes from the tool's side, after the call was allowed. */
    private static boolean wasSent(Denial denial) {
        return denial.reason() == Reason.UPSTREAM_TIMEOUT || denial.reason() == Reason.UPSTREAM_UNAVAILABLE;
    }

    private static String httpMethod(String method) {
        return HTTP_METHODS.contains(method) ? method : "_OTHER";
    }

    private static String host(ResolvedAction a) {
        String host = a.tool().upstream().getHost();
        return host == null ? "" : host;
    }

    private static int port(ResolvedAction a) {
        int port = a.tool().upstream().getPort();
        if (port > 0) {
            return port;
        }
        return "https".equals(a.tool().upstream().getScheme()) ? 443 : 80;
    }
}
