package dev.toolgate.call;

/** How a principal proved who it is; the policy input carries {@link #code()}. */
public enum AuthMethod {
    API_KEY,
    JWT;

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
