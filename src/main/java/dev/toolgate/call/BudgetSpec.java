package dev.toolgate.call;

import java.util.Locale;
import java.util.Objects;

/**
 * A spend cap in integer micro-dollars, counted per run, per workflow and UTC day, or per tenant and UTC calendar
 * month.
 *
 * @param name the budget's name, unique in the contract
 * @param selector which calls count against it
 * @param per what one ledger is kept for
 * @param capUsdMicros the cap, at least 0
 * @param overBudget what happens to a call the cap cannot admit
 */
public record BudgetSpec(String name, Selector selector, Scope per, long capUsdMicros, OverBudget overBudget) {

    /** The ledger a budget keeps, and its window. */
    public enum Scope {
        /**
         * One ledger per agent and run id; no calendar window (the ledger expires after {@code toolgate.limits.run-ttl}).
         * Keyed by the agent too, so that two agents of a tenant never share (or spend) one another's run.
         */
        RUN,
        /** One ledger per workflow and UTC day. */
        WORKFLOW,
        /**
         * One ledger per agent and UTC day: a cap an agent cannot dodge by inventing run ids.
         */
        AGENT,
        /** One ledger per tenant and UTC calendar month. */
        TENANT;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What happens to a call over the cap. */
    public enum OverBudget {
        /** Deny with {@code budget_exceeded}. */
        STOP,
        /** Deny with {@code approval_required}: a human decides whether to spend more. */
        ESCALATE,
        /** Forward to the action's declared fallback instead (a cheaper action, or a dry run). */
        DEGRADE;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public BudgetSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(per, "per");
        Objects.requireNonNull(overBudget, "overBudget");
        if (capUsdMicros < 0) {
            throw new IllegalArgumentException("budget " + name + ": the cap must not be negative");
        }
    }
}
