package dev.toolgate.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A run as one document, made from its audit records: who ran it, what it spent, each tool call with its decision and
 * result, the approvals its calls asked for, and how it went. The shape is documented in the README ("Explain a
 * run") and served by {@code GET /v1/runs/{run_id}} and {@code toolgate runs show}.
 */
public final class RunRecords {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RunRecords() {
    }

    /**
     * The run document.
     *
     * @param records the run's records in log order
     * @param visible which call records the reader may see (approval records follow their call)
     */
    public static ObjectNode of(String tenant, String runId, List<ObjectNode> records, Predicate<JsonNode> visible) {
        Map<String, ObjectNode> calls = new LinkedHashMap<>();
        Map<String, String> callOfDecision = new LinkedHashMap<>();
        List<ObjectNode> approvals = new ArrayList<>();
        List<String> agents = new ArrayList<>();
        String workflow = null;
        String first = null;
        String last = null;
        for (ObjectNode record : records) {
            String type = record.path("type").asText();
            String decisionId = record.path("decision_id").asText();
            if ("approval".equals(type)) {
                approvals.add(approval(record));
                continue;
            }
            if (!visible.test(record)) {
                continue;
            }
            first = first == null ? record.path("time").asText() : first;
            last = record.path("time").asText();
            JsonNode principal = record.path("principal");
            String agent = principal.path("agent").asText("");
            if (!agent.isEmpty() && !agents.contains(agent)) {
                agents.add(agent);
            }
            if (workflow == null && !principal.path("workflow").asText("").isEmpty()) {
                workflow = principal.path("workflow").asText();
            }
            String key = decisionId + "\n" + record.path("tool").asText() + "\n" + record.path("action").asText();
            callOfDecision.put(decisionId, key);
            ObjectNode call = calls.computeIfAbsent(key, k -> newCall(record));
            merge(call, record);
        }
        // approval events of calls the reader may not see are not shown either; later events name the approval only
        java.util.Set<String> shownApprovals = new java.util.HashSet<>();
        approvals.removeIf(a -> {
            boolean shown = callOfDecision.containsKey(a.path("decision_id").asText())
                    || shownApprovals.contains(a.path("approval_id").asText());
            if (shown) {
                shownApprovals.add(a.path("approval_id").asText());
            }
            return !shown;
        });
        for (ObjectNode a : approvals) {
            ObjectNode call = calls.get(callOfDecision.get(a.path("decision_id").asText()));
            if (call != null && call.path("approval_id").isNull()) {
                call.set("approval_id", a.path("approval_id"));
            }
        }

        ObjectNode run = NODES.objectNode();
        run.put("run_id", runId);
        run.put("tenant", tenant);
        ArrayNode agentList = run.putArray("agents");
        agents.forEach(agentList::add);
        run.put("workflow", workflow);
        // toolgate is not told which model drives an agent, nor a run's budget unless it names one in the contract
        run.putNull("model");
        // the run's budgets are in the limits store, not the log: the API fills them in; offline they are not known
        run.putNull("budgets");
        run.put("first_seen", first);
        run.put("last_seen", last);
        long spend = 0;
        ObjectNode outcome = NODES.objectNode();
        long forwarded = 0;
        long denied = 0;
        long failed = 0;
        long dryRun = 0;
        ArrayNode callList = NODES.arrayNode();
        for (ObjectNode call : calls.values()) {
            spend += call.path("cost_usd_micros").asLong(0);
            switch (call.path("result").asText()) {
                case "forwarded" -> forwarded++;
                case "denied" -> denied++;
                case "failed" -> failed++;
                case "dry_run" -> dryRun++;
                default -> {
                }
            }
            callList.add(call);
        }
        run.put("spend_usd_micros", spend);
        outcome.put("calls", calls.size());
        outcome.put("forwarded", forwarded);
        outcome.put("denied", denied);
        outcome.put("failed", failed);
        outcome.put("dry_run", dryRun);
        outcome.put("status", failed > 0 ? "failures" : denied > 0 ? "denials" : "ok");
        run.set("outcome", outcome);
        run.set("calls", callList);
        ArrayNode approvalList = run.putArray("approvals");
        approvals.forEach(approvalList::add);
        return run;
    }

    private static ObjectNode newCall(ObjectNode record) {
        ObjectNode call = NODES.objectNode();
        call.put("decision_id", record.path("decision_id").asText());
        call.put("time", record.path("time").asText());
        call.put("agent", record.path("principal").path("agent").asText(null));
        call.put("protocol", record.path("protocol").asText());
        call.put("tool", record.path("tool").asText());
        call.set("action", record.path("action"));
        call.set("args_sha256", record.path("args_sha256"));
        call.putNull("decision");
        call.putNull("result");
        call.putNull("reason");
        call.putArray("reasons");
        call.set("policy_revision", record.path("policy_revision"));
        call.putNull("approval");
        call.putNull("approval_id");
        call.putNull("status");
        call.putNull("latency_ms");
        call.putNull("cost_usd_micros");
        call.set("degraded_from", record.path("degraded_from"));
        return call;
    }

    /** What one more record of a call says about it. */
    private static void merge(ObjectNode call, ObjectNode record) {
        String type = record.path("type").asText();
        if (record.path("policy").isObject()) {
            ArrayNode reasons = call.putArray("reasons");
            record.path("policy").path("reasons").forEach(reasons::add);
        }
        if (record.path("approval").isTextual()) {
            call.set("approval", record.path("approval"));
        }
        call.set("decision", record.path("decision"));
        switch (type) {
            case "intent", "fail_open" -> call.put("result", "forwarded");
            case "replayed" -> call.put("result", "replayed");
            case "dry_run" -> call.put("result", "dry_run");
            case "denied" -> {
                call.put("result", "denied");
                call.set("reason", record.path("reason"));
            }
            case "outcome" -> {
                call.set("status", record.path("status"));
                call.set("latency_ms", record.path("latency_ms"));
                call.set("cost_usd_micros", record.path("cost_usd_micros"));
                if (record.path("reason").isTextual()) {
                    call.put("result", "failed");
                    call.set("reason", record.path("reason"));
                }
            }
            default -> {
            }
        }
    }

    private static ObjectNode approval(ObjectNode record) {
        ObjectNode approval = NODES.objectNode();
        approval.put("time", record.path("time").asText());
        approval.set("approval_id", record.path("approval_id"));
        approval.set("decision_id", record.path("decision_id"));
        approval.set("event", record.path("event"));
        approval.set("tier", record.path("approval"));
        approval.set("actor", record.path("actor"));
        approval.set("state", record.path("state"));
        return approval;
    }
}
