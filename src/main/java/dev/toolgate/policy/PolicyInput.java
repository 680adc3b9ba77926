package dev.toolgate.policy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Principal;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.CallContext;

/**
 * Builds the policy input document, the contract between toolgate and every policy (documented member by member in
 * {@code policies/README.md}):
 *
 * <pre>
 * {"principal": {"agent", "tenant", "workflow", "roles", "authenticated_by"},
 *  "call":      {"protocol", "tool", "action", "args", "run_id", "mode", "method"?, "resource_uri"?, "prompt"?,
 *                "degraded_from"?},
 *  "tool":      {"risk", "reversible", "data_classes"},
 *  "context":   {…the contract's context…, "time", "environment", "clock": {"weekday", "time"}, "approval"},
 *  "usage":     {"run_spent_usd_micros", "budgets", "rate"}}
 * </pre>
 *
 * {@code context.clock} exists because the OPA Wasm SDK has no {@code time.*} builtins: toolgate derives the UTC
 * weekday and {@code HH:MM} from the time the call was received, so policies compare strings instead.
 */
public final class PolicyInput {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DateTimeFormatter RFC3339_SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'");
    private static final DateTimeFormatter HOURS_MINUTES = DateTimeFormatter.ofPattern("HH:mm");
    private static final List<String> WEEKDAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    private PolicyInput() {
    }

    /**
     * The input for a call whose principal and action are resolved.
     *
     * @throws IllegalArgumentException when the call has no principal or no resolved action (a pipeline bug)
     */
    public static ObjectNode of(ToolCall call, CallContext ctx) {
        Principal p = call.principal()
                .orElseThrow(() -> new IllegalArgumentException("call " + call.id() + " has no principal"));
        ResolvedAction a = call.action()
                .orElseThrow(() -> new IllegalArgumentException("call " + call.id() + " has no resolved action"));
        ObjectNode input = NODES.objectNode();

        ObjectNode principal = input.putObject("principal");
        principal.put("agent", p.agent());
        principal.put("tenant", p.tenant());
        principal.put("workflow", p.workflow());
        principal.set("roles", strings(p.roles()));
        principal.put("authenticated_by", p.authenticatedBy().code());

        ObjectNode c = input.putObject("call");
        c.put("protocol", call.protocol().code());
        c.put("tool", a.tool().name());
        c.put("action", a.action().name());
        c.set("args", a.args());
        c.put("run_id", call.runId());
        c.put("mode", call.mode().code());
        if (call.protocol() == Protocol.MCP) {
            mcp(c, call.invocation().method(), a.args());
        }
        call.degradation().ifPresent(d -> {
            // a fallback: the action the agent called, which an over-budget degrade replaced with this one
            ObjectNode from = c.putObject("degraded_from");
            from.put("tool", d.tool());
            from.put("action", d.action());
        });

        ObjectNode tool = input.putObject("tool");
        tool.put("risk", a.tool().risk().code());
        tool.put("reversible", a.tool().reversible());
        tool.set("data_classes", strings(a.tool().dataClasses()));

        input.set("context", context(ctx.contract().context(), call.receivedAt()));

        ObjectNode usage = input.putObject("usage");
        // the policy stage runs before the limits stage: nothing of this call is reserved or counted yet
        usage.put("run_spent_usd_micros", 0);
        usage.putArray("budgets");
        usage.putArray("rate");
        return input;
    }

    /**
     * What an MCP message is: {@code call.method} always; {@code call.resource_uri} when it names a resource
     * ({@code resources/read}, {@code subscribe}, {@code unsubscribe}, a completion of a resource template);
     * {@code call.prompt} when it names a prompt ({@code prompts/get}, a completion of a prompt's argument).
     */
    private static void mcp(ObjectNode c, String method, ObjectNode args) {
        c.put("method", method);
        JsonNode uri = method.startsWith("resources/") ? args.get("uri")
                : "ref/resource".equals(args.path("ref").path("type").textValue()) ? args.path("ref").get("uri") : null;
        if (uri != null && uri.isTextual()) {
            c.put("resource_uri", uri.textValue());
        }
        JsonNode prompt = method.equals("prompts/get") ? args.get("name")
                : "ref/prompt".equals(args.path("ref").path("type").textValue()) ? args.path("ref").get("name") : null;
        if (prompt != null && prompt.isTextual()) {
            c.put("prompt", prompt.textValue());
        }
    }

    /**
     * {@code input.context}: every member of the contract's {@code context}, then the members toolgate computes, which
     * replace contract members of the same name (a contract cannot pretend another time).
     */
    static ObjectNode context(ObjectNode contractContext, Instant receivedAt) {
        ObjectNode context = contractContext.deepCopy();
        ZonedDateTime utc = receivedAt.atZone(ZoneOffset.UTC);
        context.put("time", RFC3339_SECONDS.format(utc));
        JsonNode environment = contractContext.path("environment");
        context.put("environment", environment.isTextual() ? environment.textValue() : "");
        ObjectNode clock = context.putObject("clock");
        clock.put("weekday", weekday(utc.getDayOfWeek()));
        clock.put("time", HOURS_MINUTES.format(utc));
        ObjectNode approval = context.putObject("approval");
        // approvals are checked after the policy decided which tier a call needs
        approval.putNull("id");
        approval.putArray("approvers");
        return context;
    }

    static String weekday(DayOfWeek day) {
        return WEEKDAYS.get(day.getValue() - 1);
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = NODES.arrayNode(values.size());
        values.forEach(array::add);
        return array;
    }
}
