package dev.toolgate.call;

/** The ingress a call came through; the policy input carries {@link #code()}. */
public enum Protocol {
    HTTP,
    MCP,
    GRPC;

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
