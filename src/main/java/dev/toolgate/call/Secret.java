package dev.toolgate.call;

/**
 * A credential as presented; {@link #toString()} never shows it, so it cannot leak into a log line by accident.
 *
 * @param value the {@code Authorization} header, or the empty string
 * @param peer the SPIFFE ID of the peer, when the transport proved it (a verified client certificate) or a trusted
 *        proxy vouched for it; the empty string otherwise. Never taken from anything the client writes itself.
 */
public record Secret(String value, String peer) {

    public static final Secret NONE = new Secret("");

    public Secret {
        value = value == null ? "" : value;
        peer = peer == null ? "" : peer;
    }

    /** The {@code Authorization} header alone. */
    public Secret(String value) {
        this(value, "");
    }

    /** Neither a header nor a proven peer. */
    public boolean isEmpty() {
        return value.isEmpty() && peer.isEmpty();
    }

    @Override
    public String toString() {
        return "Secret[***]";
    }
}
