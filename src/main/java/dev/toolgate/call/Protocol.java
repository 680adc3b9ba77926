package dev.toolgate.call;

/** The ingress a call came through; the policy input carries {@link #code()}. */
public enum Protocol {
    HTTP,
    MCP,
    GRPC,
    /** The check API ({@code POST /v1/check}): a described call that its caller performs itself. */
    CHECK;

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
