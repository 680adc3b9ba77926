package dev.toolgate.ingress.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Decision;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.Outcome;

/** Denials as RFC 9457 problem documents, and the HTTP status of each reason. */
public final class ProblemDocuments {

    public static final String CONTENT_TYPE = "application/problem+json";
    /** The member of a {@code request_too_large} problem naming the part over its limit. */
    public static final String TOO_LARGE = "too_large";
    /** {@link #TOO_LARGE}: the request line (414). */
    public static final String TOO_LARGE_REQUEST_LINE = "request_line";
    /** {@link #TOO_LARGE}: the header section (431). */
    public static final String TOO_LARGE_HEADERS = "headers";

    private ProblemDocuments() {
    }

    public static int status(Reason reason) {
        return switch (reason) {
            case UNAUTHENTICATED -> 401;
            case INVALID_ARGUMENTS -> 400;
            case TOOL_NOT_GRANTED, KILL_SWITCH, POLICY_DENIED, APPROVAL_REQUIRED, APPROVAL_INVALID, BUDGET_EXCEEDED -> 403;
            case IDEMPOTENCY_CONFLICT -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case REQUEST_TOO_LARGE -> 431;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case RATE_LIMITED -> 429;
            case UPSTREAM_UNAVAILABLE -> 502;
            case LIMITS_UNAVAILABLE -> 503;
            case UPSTREAM_TIMEOUT -> 504;
            case GATEWAY_ERROR -> 500;
        };
    }

    /**
     * The status of a denial: the reason's, except a payload-mismatch idempotency conflict (422, not 409) and a request
     * line over the limit (414, where headers over it are 431).
     */
    public static int status(Denial denial) {
        if (denial.reason() == Reason.IDEMPOTENCY_CONFLICT
                && "payload_mismatch".equals(denial.extensions().get("conflict"))) {
            return 422;
        }
        if (denial.reason() == Reason.REQUEST_TOO_LARGE
                && TOO_LARGE_REQUEST_LINE.equals(denial.extensions().get(TOO_LARGE))) {
            return 414;
        }
        return status(denial.reason());
    }

    /**
     * The header fields a refusal's answer carries besides its problem document: {@code WWW-Authenticate} for
     * {@code unauthenticated}, {@code Retry-After} when the denial says when to try again.
     */
    public static List<Map.Entry<String, String>> refusalHeaders(Denial denial) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(2);
        if (denial.reason() == Reason.UNAUTHENTICATED) {
            headers.add(Map.entry("WWW-Authenticate", "Bearer realm=\"toolgate\""));
        }
        if (denial.extensions().get("retry_after") instanceof Number seconds) {
            headers.add(Map.entry("Retry-After", String.valueOf(seconds.longValue())));
        }
        return headers;
    }

    /** The problem document: type, title, status, detail, reason, decision_id, errors, then the denial's members. */
    public static ObjectNode document(ObjectMapper json, Denial denial, String decisionId) {
        ObjectNode doc = json.createObjectNode();
        doc.put("type", "urn:toolgate:reason:" + denial.reason().code());
        doc.put("title", denial.reason().title());
        doc.put("status", status(denial));
        doc.put("detail", denial.detail());
        doc.put("reason", denial.reason().code());
        doc.put("decision_id", decisionId);
        if (!denial.errors().isEmpty()) {
            denial.errors().forEach(doc.putArray("errors")::add);
        }
        for (Map.Entry<String, Object> member : denial.extensions().entrySet()) {
            doc.set(member.getKey(), json.valueToTree(member.getValue()));
        }
        return doc;
    }

    /**
     * For a fallback call (an over-budget {@code degrade}): adds what ran, {@code tool} and {@code action} (when
     * resolved), and {@code degraded_from}, the tool and action the agent called. Nothing for any other call.
     */
    public static ObjectNode degradation(ObjectNode doc, ToolCall call) {
        call.degradation().ifPresent(d -> {
            doc.put("tool", call.tool());
            doc.put("action", call.action().map(a -> a.action().name()).orElse(d.fallback()));
            ObjectNode from = doc.putObject("degraded_from");
            from.put("tool", d.tool());
            from.put("action", d.action());
        });
        return doc;
    }

    /** The {@code Toolgate-Degraded-From} header's value, {@code tool/action}, for a fallback call. */
    public static java.util.Optional<String> degradedFrom(ToolCall call) {
        return call.degradation().map(d -> d.tool() + "/" + d.action());
    }

    /**
     * A dry run's proposal: the decision, whether the call would have been forwarded, the denial enforcing would have
     * answered, the action and what an approval would be bound to, the policy's decision and the approval tier.
     */
    public static ObjectNode proposal(ObjectMapper json, Outcome.Proposed<?> proposed) {
        ToolCall call = proposed.call();
        ObjectNode doc = json.createObjectNode();
        doc.put("mode", "dry-run");
        doc.put("decision_id", call.id());
        doc.put("policy_revision", proposed.policyRevision());
        doc.put("decision", proposed.denial().isEmpty() ? "allow" : "deny");
        doc.put("would_forward", proposed.denial().isEmpty());
        proposed.denial().ifPresentOrElse(d -> doc.set("denial", ProblemDocuments.document(json, d, call.id())),
                () -> doc.putNull("denial"));
        doc.put("tool", call.tool());
        call.action().ifPresentOrElse(a -> {
            doc.put("action", a.action().name());
            doc.put("args_sha256", a.argsSha256());
            // what an approval of this call would be bound to (and an idempotency key would remember)
            doc.put("payload_sha256", a.payloadSha256());
        }, () -> {
            doc.putNull("action");
            doc.putNull("args_sha256");
            doc.putNull("payload_sha256");
        });
        call.decision().ifPresentOrElse(d -> policy(doc, d), () -> doc.putNull("policy"));
        call.approvalNeeded().ifPresentOrElse(tier -> doc.put("approval", tier.code()), () -> doc.putNull("approval"));
        return degradation(doc, call);
    }

    private static void policy(ObjectNode doc, Decision d) {
        ObjectNode policy = doc.putObject("policy");
        policy.put("allow", d.allow());
        d.reasons().forEach(policy.putArray("reasons")::add);
        policy.put("approval", d.approval().code());
        d.redact().forEach(policy.putObject("obligations").putArray("redact")::add);
    }
}
