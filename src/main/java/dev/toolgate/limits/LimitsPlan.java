package dev.toolgate.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.BudgetSpec;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Principal;
import dev.toolgate.call.RateLimitSpec;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;

/**
 * What one call asks of the store: the kill switch fields to check, the rate limits and budgets that count it (with
 * their keys), and the estimated cost. Built once per call (and once more for a {@code degrade} fallback).
 *
 * @param rateSpecs the rate limits, in the order of {@code request.rates()}
 * @param budgetSpecs the budgets, in the order of {@code request.budgets()}
 * @param estimateUsdMicros the estimated cost reserved against every budget
 */
record LimitsPlan(LimitsStore.ReserveRequest request, List<RateLimitSpec> rateSpecs, List<BudgetSpec> budgetSpecs,
        long estimateUsdMicros) {

    /** The largest amount, cap or estimate the stores accept (see {@link RequestChecks#MAX}). */
    static final long MAX_EXACT = RequestChecks.MAX;

    /** Grace after a budget window ends, so its ledger can still be read (and its reservations settled). */
    static final Duration WINDOW_GRACE = Duration.ofDays(7);

    /** A plan, or why the call cannot be planned (a client's mistake). */
    sealed interface Planned {
        record Ok(LimitsPlan plan) implements Planned {
        }

        record Refused(Denial denial) implements Planned {
        }
    }

    /** The runtime kill switch fields that stop a call of this principal to this tool. */
    static List<String> killFields(Principal who, String tool) {
        List<String> kill = new ArrayList<>(List.of("*", Keys.killField("agent", who.agent()), Keys.killField("tool", tool)));
        if (!who.workflow().isEmpty()) {
            kill.add(Keys.killField("workflow", who.workflow()));
        }
        return kill;
    }

    static Planned of(ToolCall call, ResolvedAction resolved, Contract contract, Instant now, Duration lease,
            Duration runTtl, boolean dryRun) {
        Principal who = call.principal().orElseThrow();
        String tool = resolved.tool().name();
        String action = resolved.action().name();
        String tenant = who.tenant();

        List<String> kill = killFields(who, tool);
        if (resolved.action().role() == ActionSpec.Role.SESSION) {
            // keeping an MCP session going counts against no limit; the kill switches still stop it
            return new Planned.Ok(new LimitsPlan(new LimitsStore.ReserveRequest(tenant, call.id(), kill, List.of(),
                    List.of(), now, lease, dryRun), List.of(), List.of(), 0));
        }

        List<RateLimitSpec> rateSpecs = new ArrayList<>();
        List<LimitsStore.Rate> rates = new ArrayList<>();
        for (RateLimitSpec spec : contract.rateLimits()) {
            if (spec.selector().matches(who, tool, action)) {
                String subject = switch (spec.per()) {
                    case AGENT -> who.agent();
                    case TOOL -> tool;
                    case ACTION -> tool + "/" + action;
                    case TENANT -> tenant;
                };
                rateSpecs.add(spec);
                rates.add(new LimitsStore.Rate(Keys.rate(tenant, spec.name(), subject),
                        spec.period().dividedBy(spec.permits()), spec.burst()));
            }
        }

        long estimate;
        try {
            estimate = estimate(resolved.action(), resolved.args());
        } catch (IllegalArgumentException e) {
            return new Planned.Refused(Denial.of(Reason.INVALID_ARGUMENTS, e.getMessage()));
        }

        List<BudgetSpec> budgetSpecs = new ArrayList<>();
        List<LimitsStore.Budget> budgets = new ArrayList<>();
        for (BudgetSpec spec : contract.budgets()) {
            if (!spec.selector().matches(who, tool, action)) {
                continue;
            }
            String key;
            Instant expiresAt;
            switch (spec.per()) {
                case RUN -> {
                    if (call.runId().isEmpty()) {
                        return new Planned.Refused(Denial.of(Reason.INVALID_ARGUMENTS,
                                "budget " + spec.name()
                                        + " counts per run: send a run id (Toolgate-Run-Id, or _meta dev.toolgate/run_id over MCP)"));
                    }
                    key = Keys.runBudget(tenant, spec.name(), who.agent(), call.runId());
                    expiresAt = now.plus(runTtl);
                }
                case WORKFLOW -> {
                    key = Keys.workflowBudget(tenant, spec.name(), who.workflow().isEmpty() ? "-" : who.workflow(), now);
                    expiresAt = Keys.endOfDay(now).plus(WINDOW_GRACE);
                }
                case AGENT -> {
                    key = Keys.agentBudget(tenant, spec.name(), who.agent(), now);
                    expiresAt = Keys.endOfDay(now).plus(WINDOW_GRACE);
                }
                case TENANT -> {
                    key = Keys.tenantBudget(tenant, spec.name(), now);
                    expiresAt = Keys.endOfMonth(now).plus(WINDOW_GRACE);
                }
                default -> throw new IllegalStateException("unknown budget scope " + spec.per());
            }
            budgetSpecs.add(spec);
            // a human signed off spending beyond an escalating budget: it still counts, but no longer caps this call
            long cap = spec.overBudget() == BudgetSpec.OverBudget.ESCALATE && approvedOverBudget(call)
                    ? MAX_EXACT
                    : spec.capUsdMicros();
            budgets.add(new LimitsStore.Budget(key, cap, estimate, expiresAt));
        }

        return new Planned.Ok(new LimitsPlan(new LimitsStore.ReserveRequest(tenant, call.id(), kill, rates, budgets,
                now, lease, dryRun), rateSpecs, budgetSpecs, estimate));
    }

    /**
     * The call redeemed an approval an escalation opened, or repeats such a call (a repeat is only ever replayed, so
     * admitting it spends nothing).
     */
    private static boolean approvedOverBudget(ToolCall call) {
        return call.approvalUse() == ToolCall.ApprovalUse.REDEEMED_OVER_BUDGET
                || call.approvalUse() == ToolCall.ApprovalUse.REPEAT;
    }

    /** The integer at the cost pointer when the arguments have it, else the fixed estimate. */
    static long estimate(ActionSpec action, JsonNode args) {
        return action.cost().estimate(args, MAX_EXACT);
    }

    List<String> budgetKeys() {
        return request.budgets().stream().map(LimitsStore.Budget::key).toList();
    }
}
