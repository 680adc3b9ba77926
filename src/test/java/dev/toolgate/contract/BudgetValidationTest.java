package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.toolgate.call.BudgetSpec;

/** {@code limits.budgets}: names, selectors, scopes, caps and what {@code degrade} needs. */
class BudgetValidationTest {

    /** Two tools: payments has a fallback on refunds.create only, search on its one action. */
    private static final String BASE = """
            version: 1
            agents:
              support-bot: {tenant: acme}
            tools:
              payments:
                upstream: http://127.0.0.1:9101
                risk: high
                reversible: true
                actions:
                  - {name: charges.get, method: GET, path: "/charges/{id}", schema: {type: object}}
                  - name: refunds.create
                    method: POST
                    path: /refunds
                    schema: {type: object}
                    fallback: {dry_run: true}
              search:
                upstream: http://127.0.0.1:9102
                risk: low
                reversible: true
                actions:
                  - name: query
                    method: GET
                    path: /query
                    schema: {type: object}
                    fallback: {dry_run: true}
            """;

    /** The base contract with one budget, given as a flow mapping. */
    private static String budget(String budget) {
        return BASE + "limits:\n  budgets:\n    - " + budget + "\n";
    }

    @Test
    void requiresNamePerCapAndOverBudget() {
        assertEquals(List.of("limits.budgets[0].name: is required", "limits.budgets[0].per: is required",
                "limits.budgets[0].cap_usd_micros: is required", "limits.budgets[0].over_budget: is required"),
                Contracts.errors(budget("{match: {tool: search}}")));
    }

    @Test
    void refusesUnknownKeys() {
        assertEquals(List.of("limits.budgets[0].cap: unknown key (known: name, match, per, cap_usd_micros, over_budget)",
                "limits.budgets[0].cap_usd_micros: is required"),
                Contracts.errors(budget("{name: b, per: run, cap: 5, over_budget: stop}")));
    }

    @Test
    void refusesDuplicateNames() {
        assertEquals(List.of("limits.budgets[1].name: duplicate budget name \"b\" (also limits.budgets[0])"),
                Contracts.errors(BASE + """
                        limits:
                          budgets:
                            - {name: b, per: run, cap_usd_micros: 1, over_budget: stop}
                            - {name: b, per: tenant, cap_usd_micros: 1, over_budget: stop}
                        """));
    }

    @Test
    void aBudgetAndARateLimitMayShareAName() {
        // given: they live in different lists and different keys
        String yaml = BASE + """
                limits:
                  rate: [{name: payments, per: tool, limit: 1/1s}]
                  budgets: [{name: payments, per: run, cap_usd_micros: 1, over_budget: stop}]
                """;

        // when / then
        assertEquals(1, Contracts.parse(yaml).budgets().size());
    }

    @ParameterizedTest
    @ValueSource(strings = { "agents", "day", "month", "Run" })
    void refusesUnknownScopes(String per) {
        assertEquals(List.of("limits.budgets[0].per: must be one of run, workflow, agent, tenant"),
                Contracts.errors(budget("{name: b, per: " + per + ", cap_usd_micros: 1, over_budget: stop}")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "deny", "STOP", "approve", "fallback" })
    void refusesUnknownOverBudgetBehaviours(String overBudget) {
        assertEquals(List.of("limits.budgets[0].over_budget: must be one of stop, escalate, degrade"),
                Contracts.errors(budget("{name: b, per: run, cap_usd_micros: 1, over_budget: " + overBudget + "}")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1.5 | must be an integer",
            "200000000.0 | must be an integer",
            "\"200000000\" | must be an integer",
            "[1] | must be an integer",
            "-1 | must be at least 0",
            "2251799813685249 | must be at most 2251799813685248",
            "99999999999999999999999 | must be at most 2251799813685248" })
    void refusesCapsThatAreNotIntegersFromZeroTo2Pow51(String cap, String problem) {
        assertEquals(List.of("limits.budgets[0].cap_usd_micros: " + problem),
                Contracts.errors(budget("{name: b, per: run, cap_usd_micros: " + cap + ", over_budget: stop}")));
    }

    @ParameterizedTest
    @ValueSource(longs = { 0, 1, 2_251_799_813_685_248L })
    void acceptsCapsFromZeroTo2Pow51(long cap) {
        assertEquals(cap, Contracts.parse(budget("{name: b, per: run, cap_usd_micros: " + cap + ", over_budget: stop}"))
                .budgets().get(0).capUsdMicros());
    }

    @Test
    void refusesSelectorsNamingUnknownAgentsToolsOrActions() {
        assertEquals(List.of(
                "limits.budgets[0].match.agent: unknown agent \"nobody\"",
                "limits.budgets[1].match.tool: unknown tool \"billing\"",
                "limits.budgets[2].match.action: unknown action \"query\" of tool \"payments\"",
                "limits.budgets[3].match.action: needs a tool selector naming the action's tool"),
                Contracts.errors(BASE + """
                        limits:
                          budgets:
                            - {name: a, per: run, cap_usd_micros: 1, over_budget: stop, match: {agent: nobody}}
                            - {name: b, per: run, cap_usd_micros: 1, over_budget: degrade, match: {tool: billing}}
                            - {name: c, per: run, cap_usd_micros: 1, over_budget: stop,
                               match: {tool: payments, action: query}}
                            - {name: d, per: run, cap_usd_micros: 1, over_budget: stop, match: {action: query}}
                        """));
    }

    @Test
    void degradeRefusesTheFirstMatchedActionWithoutAFallback() {
        assertEquals(List.of("limits.budgets[0].over_budget: degrade needs a fallback on every action the budget "
                + "matches; tools.payments.actions[0] (charges.get) has none"),
                Contracts.errors(budget("{name: b, per: tenant, cap_usd_micros: 1, over_budget: degrade,"
                        + " match: {tool: payments}}")));
    }

    @Test
    void degradeWithoutToolSelectorNeedsAFallbackOnEveryActionOfEveryTool() {
        // an agent selector does not narrow the actions: which actions an agent reaches is the grants' business
        assertEquals(List.of("limits.budgets[0].over_budget: degrade needs a fallback on every action the budget "
                + "matches; tools.payments.actions[0] (charges.get) has none"),
                Contracts.errors(budget("{name: b, per: run, cap_usd_micros: 1, over_budget: degrade,"
                        + " match: {agent: support-bot}}")));
    }

    @Test
    void degradeAcceptsSelectorsWhoseActionsAllHaveAFallback() {
        // given
        String yaml = BASE + """
                limits:
                  budgets:
                    - {name: a, per: run, cap_usd_micros: 1, over_budget: degrade,
                       match: {tool: payments, action: refunds.create}}
                    - {name: b, per: workflow, cap_usd_micros: 1, over_budget: degrade, match: {tool: search}}
                """;

        // when
        List<BudgetSpec> budgets = Contracts.parse(yaml).budgets();

        // then
        assertEquals(List.of(BudgetSpec.OverBudget.DEGRADE, BudgetSpec.OverBudget.DEGRADE),
                budgets.stream().map(BudgetSpec::overBudget).toList());
    }

    @Test
    void stopAndEscalateNeedNoFallback() {
        assertEquals(2, Contracts.parse(BASE + """
                limits:
                  budgets:
                    - {name: a, per: run, cap_usd_micros: 1, over_budget: stop}
                    - {name: b, per: tenant, cap_usd_micros: 1, over_budget: escalate}
                """).budgets().size());
    }
}
