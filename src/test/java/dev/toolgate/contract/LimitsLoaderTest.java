package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.BudgetSpec;
import dev.toolgate.call.Contract;
import dev.toolgate.call.CostSpec;
import dev.toolgate.call.FailureMode;
import dev.toolgate.call.Fallback;
import dev.toolgate.call.RateLimitSpec;
import dev.toolgate.call.Selector;
import dev.toolgate.call.ToolSpec;

/** Costs, fallbacks, failure modes, rate limits and budgets become the records the limits stage uses. */
class LimitsLoaderTest {

    private final ContractLoader loader = new ContractLoader();

    @Test
    void loadsCostsAndFallbacksOfEachAction() {
        // given / when
        ToolSpec payments = loader.load(Contracts.file("limits.yaml")).tool("payments").orElseThrow();

        // then
        ActionSpec refunds = payments.action("refunds.create").orElseThrow();
        assertEquals(new CostSpec(0, Optional.of("/amount_usd_micros")), refunds.cost());
        assertEquals(Optional.of(new Fallback.DryRun()), refunds.fallback());
        ActionSpec get = payments.action("charges.get").orElseThrow();
        assertEquals(new CostSpec(2500, Optional.empty()), get.cost());
        assertEquals(Optional.of(new Fallback.ToAction("payments", "charges.get-cached")), get.fallback());
        ActionSpec cached = payments.action("charges.get-cached").orElseThrow();
        assertEquals(new CostSpec(10, Optional.of("/quote/usd_micros")), cached.cost());
        assertEquals(Optional.of(new Fallback.ToAction("search", "query")), cached.fallback(),
                "a fallback may name a tool declared later");
    }

    @Test
    void loadsFailureModesWithTheirDefaults() {
        // given / when
        Contract contract = loader.load(Contracts.file("limits.yaml"));

        // then
        ToolSpec payments = contract.tool("payments").orElseThrow();
        assertEquals(FailureMode.OPEN, payments.spendFailureMode());
        assertEquals(FailureMode.CLOSED, payments.rateFailureMode());
        ToolSpec search = contract.tool("search").orElseThrow();
        assertEquals(FailureMode.CLOSED, search.spendFailureMode(), "default spend");
        assertEquals(FailureMode.CLOSED, search.rateFailureMode());
    }

    @Test
    void loadsRateLimitsInOrderWithBurstDefaultingToN() {
        // given / when
        Contract contract = loader.load(Contracts.file("limits.yaml"));

        // then
        assertEquals(List.of(
                new RateLimitSpec("support-calls", selector("support-bot", null, null, null),
                        RateLimitSpec.Subject.AGENT, 10, Duration.ofSeconds(1), 20),
                new RateLimitSpec("refunds", selector(null, "payments", "refunds.create", "acme"),
                        RateLimitSpec.Subject.ACTION, 100, Duration.ofHours(1), 100),
                new RateLimitSpec("everything", Selector.ALL, RateLimitSpec.Subject.TENANT, 6000,
                        Duration.ofMinutes(1), 6000),
                new RateLimitSpec("search.per-tool", Selector.ALL, RateLimitSpec.Subject.TOOL, 5,
                        Duration.ofMillis(250), 5)),
                contract.rateLimits());
    }

    @Test
    void loadsBudgetsInOrder() {
        // given / when
        Contract contract = loader.load(Contracts.file("limits.yaml"));

        // then
        assertEquals(List.of(
                new BudgetSpec("refunds-per-day", selector(null, "payments", "refunds.create", null),
                        BudgetSpec.Scope.WORKFLOW, 200_000_000, BudgetSpec.OverBudget.STOP),
                new BudgetSpec("research-runs", selector("research-bot", null, null, null), BudgetSpec.Scope.RUN, 0,
                        BudgetSpec.OverBudget.ESCALATE),
                new BudgetSpec("payments-monthly", selector(null, "payments", null, null), BudgetSpec.Scope.TENANT,
                        2_251_799_813_685_248L, BudgetSpec.OverBudget.DEGRADE)),
                contract.budgets());
    }

    @Test
    void contractsWithoutLimitsGetTheDefaults() {
        // given / when
        Contract contract = loader.load(Contracts.file("full.yaml"));

        // then
        assertEquals(List.of(), contract.rateLimits());
        assertEquals(List.of(), contract.budgets());
        for (ToolSpec tool : contract.tools().values()) {
            assertEquals(FailureMode.CLOSED, tool.spendFailureMode(), tool.name());
            assertEquals(FailureMode.OPEN, tool.rateFailureMode(), tool.name());
            for (ActionSpec action : tool.actions()) {
                assertEquals(CostSpec.FREE, action.cost(), action.name());
                assertEquals(Optional.empty(), action.fallback(), action.name());
            }
        }
    }

    @Test
    void anEmptyLimitsSectionHasNoLimits() {
        // given / when
        Contract contract = Contracts.parse("version: 1\nlimits: {rate: [], budgets: []}\n");

        // then
        assertEquals(List.of(), contract.rateLimits());
        assertEquals(List.of(), contract.budgets());
    }

    @Test
    void reportsEveryLimitsErrorTogetherInDocumentOrder() {
        // given
        Path file = Contracts.file("limits-errors.yaml");

        // when
        ContractException e = assertThrows(ContractException.class, () -> loader.load(file));

        // then
        assertEquals(List.of(
                "tools.payments.failure_modes.spend: must be one of closed, open",
                "tools.payments.actions[0].cost.pointer: names /amount, which the schema does not declare with "
                        + "type: integer",
                "tools.payments.actions[1].fallback: must not be the action itself",
                "limits.rate[0].limit: must be N/duration, e.g. 10/1s",
                "limits.budgets[0].cap_usd_micros: must be an integer",
                "limits.budgets[0].over_budget: degrade needs a fallback on every action the budget matches; "
                        + "tools.payments.actions[0] (refunds.create) has none"),
                e.errors());
    }

    private static Selector selector(String agent, String tool, String action, String tenant) {
        return new Selector(Optional.ofNullable(agent), Optional.ofNullable(tool), Optional.ofNullable(action),
                Optional.ofNullable(tenant));
    }
}
