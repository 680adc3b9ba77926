package dev.toolgate.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

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
import dev.toolgate.call.TraceContext;

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
        CHECKPOINT("checkpoint"),
        /** A shadow bundle decided a call otherwise than the active one. */
        SHADOW("shadow"),
        /** A contract or policy bundle loaded at run time, or refused. */
        RELOAD("reload");

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
     * @param hash what a redacted value in the kept policy input becomes
     */
    static ObjectNode body(Type type, ToolCall call, String policyRevision, String status, Optional<Denial> denial,
            KeyedHash hash) {
        ObjectNode body = NODES.objectNode();
        body.put("type", type.code);
        callMembers(body, call);
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
        body.putNull("latency_ms");
        body.putNull("cost_usd_micros");
        // the trace of the call, so that an auditor can go from the record to its spans
        body.put("trace_id", call.trace().map(TraceContext::traceId).orElse(null));
        // the policy's own decision and the input it was made on, for replay; an outcome's intent already has them
        Optional<Decision> decided = type == Type.OUTCOME ? Optional.empty() : call.decision();
        body.set("policy", decided.<JsonNode> map(AuditRecords::policy).orElse(NODES.nullNode()));
        body.set("input", decided.flatMap(d -> d.input().<JsonNode> map(i -> keptInput(i, d, hash)))
                .orElse(NODES.nullNode()));
        return body;
    }

    /** The largest estimate the limits stores accept (2^51 micro-dollars); a larger one never reaches a tool. */
    private static final long MAX_COST = 1L << 51;

    /**
     * Fills an outcome's {@code latency_ms} (from receipt to this record) and {@code cost_usd_micros}: what the call
     * counts against its budgets, the cost the tool reported or else the estimate; 0 for a call never sent.
     */
    static void ended(ObjectNode body, ToolCall call, String status, OptionalLong reported, Instant now) {
        body.put("latency_ms", Math.max(0, Duration.between(call.receivedAt(), now).toMillis()));
        if ("not_sent".equals(status)) {
            body.put("cost_usd_micros", 0);
        } else if (reported.isPresent()) {
            body.put("cost_usd_micros", reported.getAsLong());
        } else if (call.action().isPresent()) {
            ResolvedAction a = call.action().get();
            try {
                body.put("cost_usd_micros", a.action().cost().estimate(a.args(), MAX_COST));
            } catch (IllegalArgumentException e) {
                // the limits stage refuses such a call before it is sent: nothing to count
                body.putNull("cost_usd_micros");
            }
        }
    }

    private static ObjectNode policy(Decision decision) {
        ObjectNode policy = NODES.objectNode();
        policy.put("allow", decision.allow());
        ArrayNode reasons = policy.putArray("reasons");
        decision.reasons().forEach(reasons::add);
        policy.put("approval", decision.approval().code());
        ArrayNode redact = policy.putArray("redact");
        decision.redact().forEach(redact::add);
        return policy;
    }

    /**
     * The policy input with every path of the decision's {@code redact} obligation (paths into {@code call.args})
     * replaced by its keyed hash; everything else as the policy saw it. Shares the untouched parts with the input.
     */
    static ObjectNode keptInput(ObjectNode input, Decision decision, KeyedHash hash) {
        JsonNode call = input.get("call");
        if (decision.redact().isEmpty() || !(call instanceof ObjectNode c) || !(c.get("args") instanceof ObjectNode a)) {
            return input;
        }
        ObjectNode kept = NODES.objectNode().setAll(input);
        ObjectNode keptCall = NODES.objectNode().setAll(c);
        keptCall.set("args", Redaction.hash(a, decision.redact(), hash::apply));
        kept.set("call", keptCall);
        return kept;
    }

    /** Which call a record is of: decision id, protocol, principal, run id, tool (as addressed) and action. */
    private static void callMembers(ObjectNode body, ToolCall call) {
        body.put("decision_id", call.id());
        body.put("protocol", call.protocol().code());
        body.set("principal", call.principal().<JsonNode> map(AuditRecords::principal).orElse(NODES.nullNode()));
        body.put("run_id", call.runId());
        body.put("tool", call.tool());
        body.put("action", call.action().map(a -> a.action().name()).orElse(null));
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

    /**
     * A shadow disagreement: the call, the active policy's decision and revision, the shadow bundle's decision and
     * revision. The call's own records (its intent or denial) hold its input.
     */
    static ObjectNode shadow(ToolCall call, String policyRevision, String shadowRevision,
            dev.toolgate.pipeline.AuditLog.ShadowDecision shadow) {
        ObjectNode body = NODES.objectNode();
        body.put("type", Type.SHADOW.code);
        callMembers(body, call);
        body.put("policy_revision", policyRevision);
        body.set("policy", call.decision().<JsonNode> map(AuditRecords::policy).orElse(NODES.nullNode()));
        body.put("shadow_revision", shadowRevision);
        ObjectNode decided = body.putObject("shadow");
        decided.put("allow", shadow.allow());
        ArrayNode reasons = decided.putArray("reasons");
        shadow.reasons().forEach(reasons::add);
        decided.put("approval", shadow.approval());
        body.put("trace_id", call.trace().map(TraceContext::traceId).orElse(null));
        return body;
    }

    /** A reload record: what was reloaded, whether it was loaded or refused, the revision in force, and why. */
    static ObjectNode reload(String what, String outcome, String revision, String detail) {
        ObjectNode body = NODES.objectNode();
        body.put("type", Type.RELOAD.code);
        body.put("what", what);
        body.put("outcome", outcome);
        body.put("revision", revision);
        body.put("detail", detail);
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
            case APPROVAL, CHECKPOINT, SHADOW, RELOAD -> null;
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
