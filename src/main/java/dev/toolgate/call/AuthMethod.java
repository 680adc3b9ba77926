package dev.toolgate.call;

/** How a principal proved who it is; the policy input carries {@link #code()}. */
public enum AuthMethod {
    API_KEY,
    JWT,
    /** A SPIFFE ID the transport proved (a client certificate), or that a trusted proxy vouched for. */
    SPIFFE;

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
