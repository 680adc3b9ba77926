package dev.toolgate.call;

/**
 * The stable reason codes of a denial or a fault. The same snake_case string appears in the protocol answer, the audit
 * record and the metric label; never rename one.
 */
public enum Reason {
    UNAUTHENTICATED("Unauthenticated"),
    TOOL_NOT_GRANTED("Tool not granted"),
    KILL_SWITCH("Kill switch engaged"),
    INVALID_ARGUMENTS("Invalid arguments"),
    POLICY_DENIED("Denied by policy"),
    APPROVAL_REQUIRED("Approval required"),
    APPROVAL_INVALID("Approval invalid"),
    RATE_LIMITED("Rate limited"),
    BUDGET_EXCEEDED("Budget exceeded"),
    IDEMPOTENCY_CONFLICT("Idempotency conflict"),
    UPSTREAM_TIMEOUT("Upstream timeout"),
    UPSTREAM_UNAVAILABLE("Upstream unavailable"),
    LIMITS_UNAVAILABLE("Limits unavailable"),
    PAYLOAD_TOO_LARGE("Payload too large"),
    GATEWAY_ERROR("Gateway error");

    private final String code;
    private final String title;

    Reason(String title) {
        this.code = name().toLowerCase(java.util.Locale.ROOT);
        this.title = title;
    }

    /** The snake_case code, e.g. {@code tool_not_granted}. */
    public String code() {
        return code;
    }

    /** A short human title for problem documents. */
    public String title() {
        return title;
    }
}
