package dev.toolgate.adversarial;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Follows a world's audit log as it grows, reading each line once and indexing the records by decision id, so that
 * checking hundreds of scenarios does not read (and parse) the whole log hundreds of times.
 */
final class AuditTail {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_MILLIS = 5_000;

    private final Path file;
    private long offset;
    private long intents;
    private final Map<String, List<JsonNode>> byDecision = new HashMap<>();

    AuditTail(Path file) {
        this.file = file;
    }

    /** The records of a decision once they include one of each type named (or what there is after 5 s). */
    synchronized List<JsonNode> await(String decisionId, String... types) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (true) {
            refresh();
            List<JsonNode> records = byDecision.getOrDefault(decisionId, List.of());
            boolean complete = java.util.Arrays.stream(types)
                    .allMatch(type -> records.stream().anyMatch(r -> r.path("type").asText().equals(type)));
            if (complete || System.currentTimeMillis() > deadline) {
                return List.copyOf(records);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.copyOf(records);
            }
        }
    }

    /** The records of a decision so far. */
    synchronized List<JsonNode> now(String decisionId) {
        refresh();
        return List.copyOf(byDecision.getOrDefault(decisionId, List.of()));
    }

    /** How many intent records (calls about to be forwarded) the log holds so far. */
    synchronized long intents() {
        refresh();
        return intents;
    }

    private void refresh() {
        if (!Files.exists(file)) {
            return;
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length <= offset) {
                return;
            }
            byte[] bytes = new byte[(int) (length - offset)];
            in.seek(offset);
            in.readFully(bytes);
            int end = lastNewline(bytes);
            if (end < 0) {
                return;
            }
            String text = new String(bytes, 0, end + 1, StandardCharsets.UTF_8);
            offset += end + 1;
            for (String line : text.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode record = JSON.readTree(line);
                if (record.path("type").asText().equals("intent")) {
                    intents++;
                }
                String decision = record.path("decision_id").asText(null);
                if (decision != null) {
                    byDecision.computeIfAbsent(decision, d -> new ArrayList<>()).add(record);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the audit log " + file, e);
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
