package dev.toolgate.policy;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.PathTemplate;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.Risk;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.pipeline.CallContext;

/** Resolved calls and a contract like the demo's, for policy tests. */
final class Calls {

    static final ObjectMapper JSON = new ObjectMapper();
    /** A Monday, inside the change window. */
    static final Instant MONDAY_10_00 = Instant.parse("2026-05-04T10:00:00Z");

    static final ToolSpec PAYMENTS = tool("payments", Risk.HIGH, true, List.of("pci"), "refunds.create", "/refunds");
    static final ToolSpec DEPLOY = tool("deploy", Risk.CRITICAL, false, List.of(), "deployments.create",
            "/deployments");

    private Calls() {
    }

    static ToolSpec tool(String name, Risk risk, boolean reversible, List<String> dataClasses, String action,
            String path) {
        ActionSpec spec = new ActionSpec(action, "POST", PathTemplate.parse(path), args -> List.of());
        return new ToolSpec(name, URI.create("http://127.0.0.1:9/" + name), risk, reversible, dataClasses,
                Duration.ofSeconds(2), Duration.ofSeconds(30), List.of(spec));
    }

    /** The contract context of the demo: prod, changes Monday to Friday 09:00–17:00 UTC. */
    static ObjectNode prodContext() {
        return json("""
                {"environment": "prod",
                 "change_window": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}}""");
    }

    static CallContext context(ObjectNode contractContext) {
        Contract contract = new Contract(Map.of(), Map.of(PAYMENTS.name(), PAYMENTS, DEPLOY.name(), DEPLOY),
                Map.<String, Map<String, Set<String>>> of(), List.of(), contractContext, "sha256:test");
        return new CallContext(contract, "sha256:policy");
    }

    static CallContext context() {
        return context(prodContext());
    }

    static Principal principal(String agent, String tenant) {
        return new Principal(agent, tenant, "billing-dispute", List.of("support"), AuthMethod.API_KEY);
    }

    /** A call resolved to the first action of the tool. */
    static ToolCall resolved(Principal principal, ToolSpec tool, ObjectNode args, Instant receivedAt, Mode mode) {
        ActionSpec action = tool.actions().get(0);
        ToolCall received = ToolCall.received("call-" + System.nanoTime(), Protocol.HTTP, tool.name(),
                new Invocation("POST", action.path().template(), Map.of(), new byte[0]), Secret.NONE, "run-1", mode,
                receivedAt);
        return received.withPrincipal(principal)
                .withAction(ResolvedAction.of(tool, action, args, principal.tenant()));
    }

    static ToolCall refund(String agent, String tenant, ObjectNode args) {
        return resolved(principal(agent, tenant), PAYMENTS, args, MONDAY_10_00, Mode.ENFORCE);
    }

    static ToolCall refund(long amountUsdMicros) {
        return refund("support-bot", "acme", json("{\"charge\": \"ch_1\", \"tenant\": \"acme\"}")
                .put("amount_usd_micros", amountUsdMicros));
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
