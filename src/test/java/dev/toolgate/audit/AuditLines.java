package dev.toolgate.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The whole lines of an audit log a test looks into (a torn last line, without its newline, is left out). */
record AuditLines(List<String> lines, Map<String, Set<String>> typesByDecision, long lastSeq) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static AuditLines read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        List<String> lines = end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
        Map<String, Set<String>> types = new HashMap<>();
        long lastSeq = 0;
        for (String line : lines) {
            JsonNode record = JSON.readTree(line);
            types.computeIfAbsent(record.path("decision_id").asText(), id -> new HashSet<>())
                    .add(record.path("type").asText());
            lastSeq = record.path("seq").asLong();
        }
        return new AuditLines(new ArrayList<>(lines), types, lastSeq);
    }

    /** Whether the log holds a record of this type for the decision. */
    boolean has(String decisionId, String type) {
        return decisionId != null && typesByDecision.getOrDefault(decisionId, Set.of()).contains(type);
    }

    /** The last whole line. */
    String last() {
        return lines.get(lines.size() - 1);
    }
}
