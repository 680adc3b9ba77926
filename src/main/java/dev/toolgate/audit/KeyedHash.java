package dev.toolgate.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.toolgate.call.CanonicalJson;

/**
 * What a redacted value becomes in the policy input an audit record keeps: {@code "hmac-sha256:"} and the hex HMAC of
 * the value's canonical JSON (RFC 8785) under a secret key. The same value gives the same text, so a replayed policy
 * that compares redacted values with each other decides as it did; without the key nobody can test a guess (a card
 * number, a name) against the record, which a plain hash would allow.
 * <p>
 * The key is {@code toolgate.audit.redaction-key}, or, when none is configured, random for the life of the process:
 * then equal values hash alike within one process only, which is all a replay of one decision needs.
 */
public final class KeyedHash {

    static final String PREFIX = "hmac-sha256:";
    private static final String ALGORITHM = "HmacSHA256";
    /** A shorter key would make the keyed hash the weak point: 256 bits, as HMAC-SHA256's own strength. */
    static final int MIN_KEY_BYTES = 32;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    private KeyedHash(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::mac);
    }

    /**
     * A hash under a configured key.
     *
     * @throws IllegalArgumentException when the key is shorter than 32 bytes (UTF-8)
     */
    public static KeyedHash of(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("toolgate.audit.redaction-key must be at least " + MIN_KEY_BYTES
                    + " bytes, was " + bytes.length + "; use e.g. `openssl rand -base64 48`");
        }
        return new KeyedHash(bytes);
    }

    /** A hash under a key drawn for this process only. */
    public static KeyedHash random() {
        byte[] bytes = new byte[MIN_KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        return new KeyedHash(bytes);
    }

    /** The replacement of a redacted value. */
    public JsonNode apply(JsonNode value) {
        byte[] canonical = CanonicalJson.write(value).getBytes(StandardCharsets.UTF_8);
        return TextNode.valueOf(PREFIX + HexFormat.of().formatHex(macs.get().doFinal(canonical)));
    }

    private Mac mac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has " + ALGORITHM, e);
        }
    }

    @Override
    public String toString() {
        return "KeyedHash[" + ALGORITHM + "]"; // never the key
    }
}
