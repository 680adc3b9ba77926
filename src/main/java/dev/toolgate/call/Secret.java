package dev.toolgate.call;

/** A credential as presented; {@link #toString()} never shows it, so it cannot leak into a log line by accident. */
public record Secret(String value) {

    public static final Secret NONE = new Secret("");

    public Secret {
        value = value == null ? "" : value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return "Secret[***]";
    }
}
