package dev.toolgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads the test gateway's audit log. */
public final class AuditRecords {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditRecords() {
    }

    /** Every record of one decision in the gateway tests' audit log, in file order. */
    public static List<JsonNode> of(String decisionId) {
        return of(GatewayResource.auditFile(), decisionId);
    }

    /** Every record of one decision in an audit log, in file order. */
    public static List<JsonNode> of(java.nio.file.Path file, String decisionId) {
        try {
            return Files.readAllLines(file).stream().map(AuditRecords::parse)
                    .filter(r -> decisionId.equals(r.path("decision_id").asText())).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the decision has {@code count} records, then returns them. */
    public static List<JsonNode> await(String decisionId, int count) {
        return await(GatewayResource.auditFile(), decisionId, count);
    }

    /** Waits until the decision has {@code count} records in an audit log, then returns them. */
    public static List<JsonNode> await(java.nio.file.Path file, String decisionId, int count) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> of(file, decisionId).size() >= count);
        return of(file, decisionId);
    }

    /** The one {@code denied} record of a denied call (an opened approval request adds an approval record). */
    public static JsonNode denied(String decisionId) {
        return denied(GatewayResource.auditFile(), decisionId);
    }

    /** The one {@code denied} record of a denied call in an audit log. */
    public static JsonNode denied(java.nio.file.Path file, String decisionId) {
        List<JsonNode> records = await(file, decisionId, 1);
        List<JsonNode> denied = records.stream().filter(r -> r.path("type").asText().equals("denied")).toList();
        if (denied.size() != 1 || records.stream().anyMatch(r -> r.path("type").asText().matches("intent|outcome"))) {
            throw new AssertionError("expected one denied record and nothing forwarded for " + decisionId + ", found "
                    + records);
        }
        return denied.get(0);
    }

    /** Every approval event record of one approval request, in file order. */
    public static List<JsonNode> approvalEvents(String approvalId) {
        try {
            return Files.readAllLines(GatewayResource.auditFile()).stream().map(AuditRecords::parse)
                    .filter(r -> r.path("type").asText().equals("approval")
                            && approvalId.equals(r.path("approval_id").asText()))
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException("audit line is not JSON: " + line, e);
        }
    }
}
