package dev.toolgate.pipeline;

import java.util.Objects;

/**
 * A protocol's reply encoded for keeping (an idempotency record), by the ingress that produced it; opaque to stages
 * and stores.
 *
 * @param protocol which ingress encoded it, e.g. {@code http}
 * @param bytes the encoding
 */
public record StoredReply(String protocol, byte[] bytes) {

    public StoredReply {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public String toString() {
        return "StoredReply[" + protocol + ", " + bytes.length + " bytes]";
    }
}
