package dev.toolgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;

class PolicyInputTest {

    @Test
    void buildsTheDocumentedInputDocument() {
        // given a dry-run refund by a JWT-authenticated agent, received on a Saturday evening
        Principal principal = new Principal("support-bot", "acme", "billing-dispute", List.of("support", "agent"),
                AuthMethod.JWT);
        ObjectNode args = Calls.json("{\"charge\": \"ch_1\", \"amount_usd_micros\": 1200000, \"tenant\": \"acme\"}");
        ToolCall call = Calls.resolved(principal, Calls.PAYMENTS, args, Instant.parse("2026-05-02T18:30:12.734Z"),
                Mode.DRY_RUN);

        // when
        ObjectNode input = PolicyInput.of(call, Calls.context());

        // then
        assertEquals(Calls.json("""
                {"principal": {"agent": "support-bot", "tenant": "acme", "workflow": "billing-dispute",
                               "roles": ["agent", "support"], "authenticated_by": "jwt"},
                 "call": {"protocol": "http", "tool": "payments", "action": "refunds.create",
                          "args": {"charge": "ch_1", "amount_usd_micros": 1200000, "tenant": "acme"},
                          "run_id": "run-1", "mode": "dry-run"},
                 "tool": {"risk": "high", "reversible": true, "data_classes": ["pci"]},
                 "context": {"environment": "prod",
                             "change_window": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"},
                             "time": "2026-05-02T18:30:12Z",
                             "clock": {"weekday": "sat", "time": "18:30"},
                             "approval": {"id": null, "approvers": []}},
                 "usage": {"run_spent_usd_micros": 0, "budgets": [], "rate": []}}"""), input);
        List<String> contextMembers = new ArrayList<>();
        input.get("context").fieldNames().forEachRemaining(contextMembers::add);
        assertEquals(List.of("environment", "change_window", "time", "clock", "approval"), contextMembers);
    }

    @Test
    void takesToolAndActionFromTheResolvedSpecNotFromWhatTheAgentAddressed() {
        // given an MCP call that addressed the tool by another name, resolved to deploy
        ToolCall resolved = Calls.resolved(Calls.principal("release-bot", "acme"), Calls.DEPLOY,
                Calls.json("{\"environment\": \"prod\"}"), Calls.MONDAY_10_00, Mode.ENFORCE);
        ToolCall call = new ToolCall(resolved.id(), Protocol.MCP, "ops-server", resolved.invocation(), Secret.NONE, "",
                Mode.ENFORCE, resolved.receivedAt(), resolved.principal(), resolved.action(), resolved.decision(),
                dev.toolgate.call.Usage.NONE, java.util.Optional.empty(), java.util.Optional.empty(),
                ToolCall.ApprovalUse.NONE, java.util.Optional.empty(), java.util.Optional.empty());

        // when
        ObjectNode input = PolicyInput.of(call, Calls.context());

        // then
        assertEquals(Calls.json("""
                {"protocol": "mcp", "tool": "deploy", "action": "deployments.create",
                 "args": {"environment": "prod"}, "run_id": "", "mode": "enforce", "method": "POST"}"""), input.get("call"));
        assertEquals(Calls.json("{\"risk\": \"critical\", \"reversible\": false, \"data_classes\": []}"),
                input.get("tool"));
    }

    @Test
    void computedContextMembersWinOverContractMembersOfTheSameName() {
        // given a contract context that tries to set the time, the clock and an approval, and has no environment
        ObjectNode contractContext = Calls.json("""
                {"time": "2000-01-01T00:00:00Z", "clock": {"weekday": "mon", "time": "10:00"},
                 "approval": {"id": "apr_1", "approvers": ["alice"]}, "region": "eu"}""");

        // when
        ObjectNode context = PolicyInput.context(contractContext, Instant.parse("2026-05-03T23:59:59Z"));

        // then
        assertEquals(Calls.json("""
                {"time": "2026-05-03T23:59:59Z", "clock": {"weekday": "sun", "time": "23:59"},
                 "approval": {"id": null, "approvers": []}, "region": "eu", "environment": ""}"""), context);
        assertEquals("2000-01-01T00:00:00Z", contractContext.get("time").textValue(), "the contract is not changed");
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
            "2026-05-04T00:00:00Z, mon, 00:00",
            "2026-05-05T08:59:59.999Z, tue, 08:59",
            "2026-05-06T09:00:00Z, wed, 09:00",
            "2026-05-07T16:59:00Z, thu, 16:59",
            "2026-05-08T17:00:00Z, fri, 17:00",
            "2026-05-09T12:00:00Z, sat, 12:00",
            "2026-05-10T23:59:00Z, sun, 23:59" })
    void derivesTheUtcClockFromTheReceivedTime(String receivedAt, String weekday, String time) {
        ObjectNode context = PolicyInput.context(Calls.json("{}"), Instant.parse(receivedAt));

        assertEquals(Calls.json("{\"weekday\": \"" + weekday + "\", \"time\": \"" + time + "\"}"),
                context.get("clock"));
    }

    @Test
    void refusesACallWithoutPrincipal() {
        ToolCall unresolved = ToolCall.received("c1", Protocol.HTTP, "payments",
                new Invocation("POST", "/refunds", Map.of(), new byte[0]), Secret.NONE, "", Mode.ENFORCE,
                Calls.MONDAY_10_00);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PolicyInput.of(unresolved, Calls.context()));

        assertEquals("call c1 has no principal", e.getMessage());
    }
}
