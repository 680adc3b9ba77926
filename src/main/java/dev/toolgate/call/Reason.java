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
    /** The request line or the header section is over the server's limit (414 or 431). */
    REQUEST_TOO_LARGE("Request too large"),
    /** A body that is not JSON by its media type, or JSON in another charset than UTF-8 (415). */
    UNSUPPORTED_MEDIA_TYPE("Unsupported media type"),
    /** No route answers the request's path (404). */
    NOT_FOUND("Not found"),
    /** The path is answered, but not for the request's method (405). */
    METHOD_NOT_ALLOWED("Method not allowed"),
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
