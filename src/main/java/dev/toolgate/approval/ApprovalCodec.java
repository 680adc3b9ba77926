package dev.toolgate.approval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.approval.ApprovalStore.Approval;
import dev.toolgate.approval.ApprovalStore.State;
import dev.toolgate.call.ApprovalTier;
import io.vertx.redis.client.Response;

/**
 * A request in Redis: the fields that never change as one JSON document (written and read only here; the scripts
 * never parse it), and the fields the scripts change ({@code state}, {@code approvers} as a JSON array of strings,
 * {@code rejected_by}; and, once redeemed, {@code redeemed_by} and {@code redeemed_scope}, which only the scripts
 * read) beside it. The scripts answer a request as a row of four: document, state, approvers, rejected_by ({@code ""}
 * when none).
 */
final class ApprovalCodec {

    /**
     * Jackson's defaults, as the arguments are parsed: a preview reads back into equal nodes (the same int, long,
     * big-integer and double nodes).
     */
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApprovalCodec() {
    }

    /** The unchanging part of {@code a} as JSON. */
    static String document(Approval a) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("id", a.id());
        doc.put("tenant", a.tenant());
        doc.put("agent", a.agent());
        doc.put("run_id", a.runId());
        doc.put("tool", a.tool());
        doc.put("action", a.action());
        doc.put("payload_sha256", a.payloadSha256());
        doc.set("preview", a.preview());
        ArrayNode reasons = doc.putArray("reasons");
        a.reasons().forEach(reasons::add);
        doc.put("tier", a.tier().code());
        doc.put("irreversible", a.irreversible());
        doc.put("created_at", a.createdAt().toString());
        doc.put("expires_at", a.expiresAt().toString());
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("an approval request could not be written as JSON", e);
        }
    }

    /** A script's row starting at {@code at} of {@code reply}. */
    static Approval row(Response reply, int at) {
        return approval(reply.get(at).toString(), reply.get(at + 1).toString(), text(reply.get(at + 2)),
                text(reply.get(at + 3)));
    }

    /** Every row of a reply that is a list of rows. */
    static List<Approval> rows(Response reply) {
        List<Approval> approvals = new ArrayList<>(reply.size() / 4);
        for (int at = 0; at + 3 < reply.size(); at += 4) {
            approvals.add(row(reply, at));
        }
        return approvals;
    }

    /**
     * @param document the unchanging part
     * @param state the stored state's code
     * @param approvers a JSON array of strings, or {@code ""} for none
     * @param rejectedBy the approver who rejected it, or {@code ""}
     */
    static Approval approval(String document, String state, String approvers, String rejectedBy) {
        try {
            JsonNode doc = JSON.readTree(document);
            List<String> reasons = new ArrayList<>();
            doc.get("reasons").forEach(r -> reasons.add(r.asText()));
            List<String> signed = new ArrayList<>();
            if (!approvers.isEmpty()) {
                JSON.readTree(approvers).forEach(name -> signed.add(name.asText()));
            }
            ApprovalTier tier = ApprovalTier.parse(doc.get("tier").asText())
                    .orElseThrow(() -> new IllegalStateException("unknown approval tier in Redis"));
            return new Approval(doc.get("id").asText(), doc.get("tenant").asText(), doc.get("agent").asText(),
                    doc.get("run_id").asText(), doc.get("tool").asText(), doc.get("action").asText(),
                    doc.get("payload_sha256").asText(), (ObjectNode) doc.get("preview"), reasons, tier,
                    doc.get("irreversible").asBoolean(), Instant.parse(doc.get("created_at").asText()),
                    Instant.parse(doc.get("expires_at").asText()), State.valueOf(state.toUpperCase(Locale.ROOT)),
                    signed, rejectedBy.isEmpty() ? Optional.empty() : Optional.of(rejectedBy));
        } catch (IOException e) {
            throw new UncheckedIOException("an approval request in Redis is not JSON", e);
        }
    }

    private static String text(Response value) {
        return value == null ? "" : value.toString();
    }
}
