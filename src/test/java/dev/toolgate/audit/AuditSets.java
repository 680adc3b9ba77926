package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditFixtures.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writing rotated, checkpointed logs, and reading and tampering with their files, for the audit tests. */
final class AuditSets {

    private AuditSets() {
    }

    /** A log in {@code file} rotated after every batch (its files hold one batch each). */
    static AuditSettings rotatingEveryBatch(Path file) {
        return AuditSettings.of(file, 8).withRotation(OptionalLong.of(1), Optional.empty());
    }

    /** Appends intents {@code call-<from>} … one at a time, each durable before the next: one batch each. */
    static void intents(FileAuditLog log, int from, int count) {
        for (int i = from; i < from + count; i++) {
            await(log.intent(allowed("call-" + i), "bundle-7"));
        }
    }

    /** The bytes of the files, one after the other. */
    static byte[] concat(List<Path> files) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path file : files) {
            try {
                all.writeBytes(Files.readAllBytes(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all.toByteArray();
    }

    /** Every line of the files, in order. */
    static List<String> lines(List<Path> files) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Path file : files) {
            lines.addAll(AuditFixtures.lines(file));
        }
        return lines;
    }

    /**
     * Rewrites every {@code prev} after line {@code from} (0-based) to the hash of the line before it, and every
     * checkpoint's {@code head_hash} with it, as someone who edits a log and repairs its chain would.
     */
    static List<String> rechain(List<String> lines, int from) throws IOException {
        List<String> out = new ArrayList<>(lines);
        for (int i = Math.max(1, from); i < out.size(); i++) {
            ObjectNode record = (ObjectNode) AuditFixtures.JSON.readTree(out.get(i));
            String hash = AuditFixtures.sha256(out.get(i - 1));
            if (record.has("head_hash")) {
                record.put("head_hash", hash);
            }
            record.put("prev", hash);
            out.set(i, AuditFixtures.JSON.writeValueAsString(record));
        }
        return out;
    }

    static String type(String line) throws IOException {
        return AuditFixtures.JSON.readTree(line).path("type").asText();
    }
}
