package dev.toolgate.adversarial;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import dev.toolgate.demo.SampleTools;

/**
 * Checks one answer against its step's expectations: status, reason (a problem document's, a JSON-RPC error's data or
 * an MCP error result's structured content), cause, JSON-RPC code, headers, body, what the upstream saw, and the audit
 * record. Every failure says the scenario, the step and the answer.
 */
final class AnswerChecks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AnswerChecks() {
    }

    /** The JSON document of an answer: its body, or the last message of an event stream; missing when neither. */
    static JsonNode document(WireClient.Answer answer) {
        String type = answer.header("content-type") == null ? "" : answer.header("content-type");
        String body = answer.body();
        try {
            if (type.startsWith("text/event-stream")) {
                JsonNode last = MissingNode.getInstance();
                StringBuilder data = new StringBuilder();
                for (String line : (body + "\n\n").split("\r\n|\r|\n", -1)) {
                    if (line.startsWith("data:")) {
                        data.append(line.substring(5).strip());
                    } else if (line.isEmpty() && data.length() > 0) {
                        JsonNode message = JSON.readTree(data.toString());
                        last = message.has("method") ? last : message;
                        data.setLength(0);
                    }
                }
                return last;
            }
            return body.isBlank() || !body.strip().startsWith("{") ? MissingNode.getInstance() : JSON.readTree(body);
        } catch (Exception e) {
            return MissingNode.getInstance();
        }
    }

    /** A member of the problem, wherever the protocol puts it. */
    static String problemField(JsonNode doc, String field) {
        for (JsonNode at : List.of(doc, doc.path("error").path("data"), doc.path("result").path("structuredContent"))) {
            if (at.path(field).isValueNode()) {
                return at.path(field).asText();
            }
        }
        return null;
    }

    static String decisionId(WireClient.Answer answer, JsonNode doc) {
        String header = answer.header("toolgate-decision-id");
        return header != null ? header : problemField(doc, "decision_id");
    }

    /**
     * @param upstreamDelta how many requests reached the upstream during the step
     * @param earlierDecision whether the answer names a decision of an earlier step (a report names its check's):
     *        then only the step's own effects are checked, not that decision's records
     */
    static void check(String where, WireClient.Answer answer, Scenario.Expect expect, PackWorld world,
            long upstreamDelta, boolean earlierDecision) {
        String context = where + " answered " + answer.status() + " " + answer.headers() + " "
                + abbreviate(answer.body());
        JsonNode doc = document(answer);
        require(answer.status() == expect.status(), "status " + expect.status() + " expected", context);
        require(!answer.body().contains("Exception") && !answer.body().contains("\tat "),
                "the answer must not carry a stack trace", context);
        String reason = problemField(doc, "reason");
        if (expect.reason() != null) {
            require(expect.reason().equals(reason), "reason " + expect.reason() + " expected, got " + reason, context);
        }
        if (expect.cause() != null) {
            require(expect.cause().equals(problemField(doc, "cause")), "cause " + expect.cause() + " expected",
                    context);
        }
        if (expect.rpcError() != null) {
            require(doc.path("error").path("code").asInt(0) == expect.rpcError(),
                    "JSON-RPC error " + expect.rpcError() + " expected", context);
        }
        for (Map.Entry<String, String> header : expect.headers().entrySet()) {
            String value = answer.header(header.getKey());
            if (header.getValue().equals("absent")) {
                require(value == null, "header " + header.getKey() + " must be absent", context);
            } else if (header.getValue().equals("present")) {
                require(value != null, "header " + header.getKey() + " expected", context);
            } else {
                require(header.getValue().equals(value), "header " + header.getKey() + ": " + header.getValue()
                        + " expected", context);
            }
        }
        expect.bodyHas().forEach(s -> require(answer.body().contains(s), "the body must contain " + s, context));
        expect.bodyLacks().forEach(s -> require(!answer.body().contains(s), "the body must not contain " + s, context));

        String decision = decisionId(answer, doc);
        Integer upstream = expect.upstream() != null ? expect.upstream() : expect.refusal() ? Integer.valueOf(0) : null;
        if (upstream != null) {
            require(upstreamDelta == upstream, upstream + " request(s) must reach the upstream, " + upstreamDelta
                    + " did", context);
            if (decision != null && !earlierDecision && world.name != PackWorld.Name.MCP) {
                require(world.receivedFor(decision).size() == upstream,
                        "the tool must see " + upstream + " request(s) of decision " + decision, context);
            }
        }
        if (expect.upstreamSaw() != null) {
            upstreamSaw(expect.upstreamSaw(), world.firstReceived(decision).orElse(null), context);
        }
        if (!earlierDecision) {
            audit(expect, reason, decision, world, context);
        } else if (expect.refusal()) {
            require(expect.audit() == Scenario.Audit.UNRECORDED || expect.audit() == Scenario.Audit.SKIP,
                    "an answer naming an earlier step's decision has no record of its own: audit unrecorded", context);
        }
    }

    private static void upstreamSaw(Scenario.UpstreamSaw saw, SampleTools.Received received, String context) {
        require(received != null, "the tool must have seen the call", context);
        String seen = " (the tool saw " + received + ")";
        if (saw.path() != null) {
            require(saw.path().equals(received.path()), "the tool must see path " + saw.path() + seen, context);
        }
        if (saw.query() != null) {
            require(saw.query().equals(received.query() == null ? "" : received.query()),
                    "the tool must see query " + saw.query() + seen, context);
        }
        saw.headers().forEach((name, value) -> require(value.equals(received.headers().get(name.toLowerCase(Locale.ROOT))),
                "the tool must see header " + name + ": " + value + seen, context));
        for (String name : saw.withoutHeaders()) {
            require(!received.headers().containsKey(name.toLowerCase(Locale.ROOT)),
                    "header " + name + " must not reach the tool" + seen, context);
        }
        for (String prefix : saw.withoutHeaderPrefixes()) {
            require(received.headers().keySet().stream().noneMatch(h -> h.startsWith(prefix.toLowerCase(Locale.ROOT))),
                    "no header " + prefix + "* may reach the tool" + seen, context);
        }
        if (saw.bodyHas() != null) {
            require(received.body().contains(saw.bodyHas()), "the tool must see a body with " + saw.bodyHas() + seen,
                    context);
        }
    }

    private static void audit(Scenario.Expect expect, String reason, String decision, PackWorld world, String context) {
        Scenario.Audit audit = expect.audit() != null ? expect.audit()
                : expect.refusal() ? Scenario.Audit.DENIED
                        : expect.upstream() != null && expect.upstream() > 0 ? Scenario.Audit.FORWARDED
                                : Scenario.Audit.SKIP;
        switch (audit) {
            case DENIED -> {
                require(decision != null, "a refusal carries its decision id", context);
                List<JsonNode> records = world.audit.await(decision, "denied");
                List<String> types = records.stream().map(r -> r.path("type").asText()).toList();
                require(types.stream().filter("denied"::equals).count() == 1 && !types.contains("intent")
                        && !types.contains("outcome"),
                        "the audit log must hold one denied record and nothing "
                                + "forwarded, found " + records,
                        context);
                JsonNode denied = records.stream().filter(r -> r.path("type").asText().equals("denied")).findFirst()
                        .orElseThrow();
                String expected = expect.reason() != null ? expect.reason() : reason;
                require(expected == null || expected.equals(denied.path("reason").asText()),
                        "the denied record must say " + expected + ": " + denied, context);
            }
            case FORWARDED -> {
                require(decision != null, "a forwarded call carries its decision id", context);
                List<String> types = world.audit.await(decision, "intent", "outcome").stream()
                        .map(r -> r.path("type").asText()).toList();
                require(types.contains("intent") && types.contains("outcome"),
                        "intent and outcome records expected, found " + types, context);
            }
            case REPLAYED, DRY_RUN -> {
                String type = audit.name().toLowerCase(Locale.ROOT);
                require(decision != null, "the answer carries its decision id", context);
                List<String> types = world.audit.await(decision, type).stream().map(r -> r.path("type").asText())
                        .toList();
                require(types.equals(List.of(type)), "one " + type + " record expected, found " + types, context);
            }
            case UNRECORDED -> {
                if (decision != null) {
                    List<String> types = world.audit.now(decision).stream().map(r -> r.path("type").asText()).toList();
                    require(!types.contains("intent") && !types.contains("outcome"),
                            "nothing of a refused call may be recorded as forwarded: " + types, context);
                }
            }
            case SKIP -> {
            }
        }
    }

    static void require(boolean holds, String what, String context) {
        if (!holds) {
            throw new AssertionError(context + "\n  -> " + what);
        }
    }

    static String abbreviate(String body) {
        String flat = body.replace("\r", "").replace("\n", "\\n");
        return flat.length() > 600 ? flat.substring(0, 600) + "…" : flat;
    }
}
