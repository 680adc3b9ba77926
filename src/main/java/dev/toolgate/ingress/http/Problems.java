package dev.toolgate.ingress.http;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;

/** Denials as RFC 9457 problem documents, and the HTTP status of each reason. */
public final class Problems {

    public static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {
    }

    public static int status(Reason reason) {
        return switch (reason) {
            case UNAUTHENTICATED -> 401;
            case INVALID_ARGUMENTS -> 400;
            case TOOL_NOT_GRANTED, KILL_SWITCH, POLICY_DENIED, APPROVAL_REQUIRED, APPROVAL_INVALID, BUDGET_EXCEEDED -> 403;
            case IDEMPOTENCY_CONFLICT -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case RATE_LIMITED -> 429;
            case UPSTREAM_UNAVAILABLE -> 502;
            case LIMITS_UNAVAILABLE -> 503;
            case UPSTREAM_TIMEOUT -> 504;
            case GATEWAY_ERROR -> 500;
        };
    }

    /** The status of a denial: the reason's, except a payload-mismatch idempotency conflict (422, not 409). */
    public static int status(Denial denial) {
        if (denial.reason() == Reason.IDEMPOTENCY_CONFLICT
                && "payload_mismatch".equals(denial.extensions().get("conflict"))) {
            return 422;
        }
        return status(denial.reason());
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
}
