package dev.toolgate.audit;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What the writer, the start-up recovery and the verifier agree on about one line of the audit log. */
final class AuditFormat {

    /** The {@code prev} of the first record of a log. */
    static final String ZERO_HASH = "0".repeat(64);

    /**
     * Strict on reading: a line with a duplicate member or trailing data is not a record, so that what a reader sees is
     * exactly what was hashed.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private AuditFormat() {
    }

    /** RFC 3339, UTC, always with milliseconds, so that every record's time has the same shape. */
    static String time(Instant instant) {
        return TIME.format(instant);
    }

    /** The line as a JSON object, or null when it is not one. */
    static ObjectNode parseObject(byte[] bytes, int length) {
        try {
            JsonNode node = MAPPER.readTree(bytes, 0, length);
            return node instanceof ObjectNode object ? object : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The record's {@code seq}, or -1 when it is not a positive integer. */
    static long seq(ObjectNode record) {
        JsonNode seq = record.get("seq");
        if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong() || seq.longValue() < 1) {
            return -1;
        }
        return seq.longValue();
    }

    /** The record's {@code prev}, or null when it is not a lowercase hex SHA-256. */
    static String prev(ObjectNode record) {
        JsonNode prev = record.get("prev");
        if (prev == null || !prev.isTextual() || !prev.textValue().matches("[0-9a-f]{64}")) {
            return null;
        }
        return prev.textValue();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    static String sha256(byte[] bytes, int length) {
        MessageDigest digest = sha256();
        digest.update(bytes, 0, length);
        return HexFormat.of().formatHex(digest.digest());
    }
}
