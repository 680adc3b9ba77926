package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Grants, kill switches and context: what they refer to must exist. */
class ReferenceValidationTest {

    private static final String BASE = """
            version: 1
            agents:
              support-bot: {tenant: acme}
            tools:
            """ + Contracts.tool("payments");

    @Test
    void refusesAGrantForAnUnknownAgent() {
        assertEquals(List.of("grants.nobody: unknown agent \"nobody\""), Contracts.errors(BASE + """
                grants:
                  nobody: {payments: ["*"]}
                """));
    }

    @Test
    void refusesAGrantOfAnUnknownTool() {
        assertEquals(List.of("grants.support-bot.billing: unknown tool \"billing\""), Contracts.errors(BASE + """
                grants:
                  support-bot: {billing: ["*"]}
                """));
    }

    @Test
    void refusesAGrantOfAnUnknownAction() {
        assertEquals(List.of("grants.support-bot.payments: unknown action \"refunds.delete\""),
                Contracts.errors(BASE + """
                        grants:
                          support-bot: {payments: [items.get, refunds.delete]}
                        """));
    }

    @Test
    void refusesAGrantThatIsNotAList() {
        assertEquals(List.of("grants.support-bot.payments: must be a list of action names, or [\"*\"] for all of them"),
                Contracts.errors(BASE + """
                        grants:
                          support-bot: {payments: items.get}
                        """));
    }

    @Test
    void grantsOfADeclaredButInvalidToolAreNotReportedAgain() {
        // given: one mistake in the tool
        String yaml = """
                version: 1
                agents:
                  support-bot: {tenant: acme}
                tools:
                  payments:
                    upstream: http://127.0.0.1:9101
                    risk: extreme
                    reversible: true
                    actions: [{name: items.get, method: GET, path: /items, schema: {type: object}}]
                grants:
                  support-bot: {payments: [items.get]}
                """;

        // when / then: reported once, where it is
        assertEquals(List.of("tools.payments.risk: must be one of low, medium, high, critical"),
                Contracts.errors(yaml));
    }

    @Test
    void refusesAKillSwitchWithoutSelector() {
        assertEquals(List.of("kill_switches[1]: needs at least one selector: agent, tool, tenant or workflow"),
                Contracts.errors(BASE + """
                        kill_switches:
                          - {tenant: acme, reason: incident 1}
                          - {reason: incident 2}
                        """));
    }

    @Test
    void refusesAKillSwitchWithoutReason() {
        assertEquals(List.of("kill_switches[0].reason: is required"), Contracts.errors(BASE + """
                kill_switches:
                  - {tool: payments}
                """));
    }

    @Test
    void refusesKillSwitchesNamingUnknownAgentsOrTools() {
        assertEquals(List.of("kill_switches[0].agent: unknown agent \"nobody\"",
                "kill_switches[1].tool: unknown tool \"billing\""), Contracts.errors(BASE + """
                        kill_switches:
                          - {agent: nobody, reason: r}
                          - {tool: billing, reason: r}
                        """));
    }

    @Test
    void acceptsKillSwitchesByTenantOrWorkflowThatNoAgentHas() {
        // tenants and workflows are not declared anywhere, so they cannot be checked
        assertEquals(2, Contracts.parse(BASE + """
                kill_switches:
                  - {tenant: globex, reason: r}
                  - {workflow: release, reason: r}
                """).killSwitches().size());
    }

    @Test
    void refusesAContextThatIsNotAMapping() {
        assertEquals(List.of("context: must be a mapping"), Contracts.errors("version: 1\ncontext: [prod]\n"));
    }
}
