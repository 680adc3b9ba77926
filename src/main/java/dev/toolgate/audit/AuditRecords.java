package dev.toolgate.audit;

import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Decision;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Redaction;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;

/** Builds audit records; the member order is part of the file format. */
final class AuditRecords {

    /** The {@code type} of a record. */
    enum Type {
        INTENT("intent"),
        OUTCOME("outcome"),
        DENIED("denied"),
        DRY_RUN("dry_run"),
        /** A stage let the call through without its outside state (its {@code open} failure mode). */
        FAIL_OPEN("fail_open"),
        /** An idempotent repeat answered with an earlier call's reply; nothing was forwarded. */
        REPLAYED("replayed"),
        /** An approval request event (opened, approved, rejected, expired, redeemed). */
        APPROVAL("approval"),
        /** A signature over the chain up to the record before it (see {@link CheckpointSignatures}). */
        CHECKPOINT("checkpoint");

        final String code;

        Type(String code) {
            this.code = code;
        }
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AuditRecords() {
    }

    /**
     * Everything of a record but the members the writer assigns ({@code seq}, {@code time}, {@code prev}).
     *
     * @param status the upstream's status summary (outcomes only), or null
     * @param denial the denial that ended the call, if any
     */
    static ObjectNode body(Type type, ToolCall call, String policyRevision, String status, Optional<Denial> denial) {
        ObjectNode body = NODES.objectNode();
        body.put("type", type.code);
        body.put("decision_id", call.id());
        body.put("protocol", call.protocol().code());
        body.set("principal", call.principal().<JsonNode> map(AuditRecords::principal).orElse(NODES.nullNode()));
        body.put("run_id", call.runId());
        body.put("tool", call.tool());
        body.put("action", call.action().map(a -> a.action().name()).orElse(null));
        body.set("degraded_from", call.degradation().<JsonNode> map(d -> {
            // the action the agent called, when an over-budget degrade ran its fallback instead
            ObjectNode from = NODES.objectNode();
            from.put("tool", d.tool());
            from.put("action", d.action());
            return from;
        }).orElse(NODES.nullNode()));
        body.put("args_sha256", call.action().map(ResolvedAction::argsSha256).orElse(null));
        body.set("args", args(call));
        body.put("decision", decision(type, denial));
        body.put("approval", call.decision().map(d -> d.approval().code()).orElse(null));
        body.put("reason", denial.map(d -> d.reason().code()).orElse(null));
        body.put("detail", denial.map(Denial::detail).orElse(null));
        body.put("policy_revision", policyRevision);
        body.put("status", type == Type.OUTCOME ? status : null);
        return body;
    }

    /** An approval event record: its own members (event, approval id, actor, payload hash), not a call's. */
    static ObjectNode approval(dev.toolgate.pipeline.ApprovalEvent e) {
        ObjectNode body = NODES.objectNode();
        body.put("type", Type.APPROVAL.code);
        body.put("decision_id", e.decisionId());
        body.put("event", e.event());
        body.put("approval_id", e.approvalId());
        body.put("tenant", e.tenant());
        body.put("actor", e.actor());
        body.put("tool", e.tool());
        body.put("action", e.action());
        body.put("payload_sha256", e.payloadSha256());
        body.put("approval", e.tier());
        body.put("state", e.state());
        return body;
    }

    /**
     * A checkpoint: the head it signs (the seq and line hash of the record before it), the signing key's id and the
     * signature, base64.
     */
    static ObjectNode checkpoint(long headSeq, String headHash, String keyId, String signature) {
        ObjectNode body = NODES.objectNode();
        body.put("type", Type.CHECKPOINT.code);
        body.put("head_seq", headSeq);
        body.put("head_hash", headHash);
        body.put("key_id", keyId);
        body.put("signature", signature);
        return body;
    }

    /** The line the writer serialises: the body between the members it assigns. */
    static ObjectNode record(long seq, Instant time, ObjectNode body, String prev) {
        ObjectNode record = NODES.objectNode();
        record.put("seq", seq);
        record.put("time", AuditFormat.time(time));
        record.setAll(body);
        record.put("prev", prev);
        return record;
    }

    private static String decision(Type type, Optional<Denial> denial) {
        return switch (type) {
            case INTENT, OUTCOME, FAIL_OPEN, REPLAYED -> "allow";
            case APPROVAL, CHECKPOINT -> null;
            case DENIED -> "deny";
            case DRY_RUN -> denial.isPresent() ? "deny" : "allow";
        };
    }

    private static ObjectNode principal(Principal principal) {
        ObjectNode node = NODES.objectNode();
        node.put("agent", principal.agent());
        node.put("tenant", principal.tenant());
        node.put("workflow", principal.workflow());
        ArrayNode roles = node.putArray("roles");
        principal.roles().forEach(roles::add);
        node.put("authenticated_by", principal.authenticatedBy().code());
        return node;
    }

    /**
     * The arguments with what the policy asked to redact removed. Without a decision the policy has not said what is
     * safe to keep, so nothing is (the hash still identifies the payload).
     */
    private static JsonNode args(ToolCall call) {
        Optional<ResolvedAction> action = call.action();
        Optional<Decision> decision = call.decision();
        if (action.isEmpty() || decision.isEmpty()) {
            return NODES.nullNode();
        }
        return Redaction.apply(action.get().args(), decision.get().redact());
    }
}
