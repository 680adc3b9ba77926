package dev.toolgate.limits;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.toolgate.call.BudgetSpec;
import dev.toolgate.call.Denial;
import dev.toolgate.call.FailureMode;
import dev.toolgate.call.Mode;
import dev.toolgate.call.RateLimitSpec;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.call.Usage;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.AfterCall;
import dev.toolgate.pipeline.AuditLog;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.Escalations;
import dev.toolgate.pipeline.Stage;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.Stages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Rate limits, spend caps and runtime kill switches, in one atomic step of the {@link LimitsStore}: a call either takes
 * a token of every rate limit and reserves its estimated cost against every budget that counts it, or takes nothing.
 * After the call the reservation is settled at the actual cost (or released when the call never ran).
 *
 * <p>
 * When the store cannot be reached within {@code toolgate.redis-timeout}, the tool's failure modes apply: spend caps
 * fail closed ({@code limits_unavailable}) unless the tool says open; rate limits fail open onto a per-instance
 * limiter unless the tool says closed. Every fail-open is counted ({@code toolgate.limits.fail_open}) and audited.
 */
@ApplicationScoped
public class LimitsStage implements Stage {

    private static final Logger LOG = Logger.getLogger(LimitsStage.class);

    private final LimitsStore store;
    private final LimitsStore local;
    private final AuditLog audit;
    private final MeterRegistry meters;
    private final ToolgateConfig.Limits config;
    private final Duration timeout;
    private final Clock clock;
    /** Set by CDI; a stage built by hand (tests) escalates without opening a request. */
    private Instance<Escalations> escalations;

    @Inject
    LimitsStage(LimitsStore store, AuditLog audit, MeterRegistry meters, ToolgateConfig config,
            Instance<Escalations> escalations) {
        this(store, new EmbeddedLimitsStore(), audit, meters, config.limits(), config.redisTimeout(),
                Clock.systemUTC());
        this.escalations = escalations;
    }

    /** @param timeout how long a reservation may take before the failure modes apply */
    LimitsStage(LimitsStore store, LimitsStore local, AuditLog audit, MeterRegistry meters,
            ToolgateConfig.Limits config, Duration timeout, Clock clock) {
        this.store = store;
        this.local = local;
        this.audit = audit;
        this.meters = meters;
        this.config = config;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public int position() {
        return Stages.LIMITS;
    }

    @Override
    public String name() {
        return "limits";
    }

    @Override
    public Uni<StageResult> apply(ToolCall call, CallContext ctx) {
        ResolvedAction resolved = call.action().orElseThrow(() -> new IllegalStateException("no resolved action"));
        return reserve(call, resolved, ctx);
    }

    private Uni<StageResult> reserve(ToolCall call, ResolvedAction resolved, CallContext ctx) {
        LimitsPlan plan;
        switch (LimitsPlan.of(call, resolved, ctx.contract(), clock.instant(), config.lease(), config.runTtl(),
                call.mode() == Mode.DRY_RUN)) {
            case LimitsPlan.Planned.Refused r -> {
                return Uni.createFrom().item(StageResult.deny(r.denial()));
            }
            case LimitsPlan.Planned.Ok ok -> plan = ok.plan();
        }
        return store.reserve(plan.request())
                .ifNoItem().after(timeout).fail()
                .onItem().transformToUni(result -> decided(call, resolved, ctx, plan, result))
                .onFailure().recoverWithUni(fault -> unavailable(call, resolved.tool(), ctx, plan, fault));
    }

    private Uni<StageResult> decided(ToolCall call, ResolvedAction resolved, CallContext ctx, LimitsPlan plan,
            LimitsStore.ReserveResult result) {
        return switch (result) {
            case LimitsStore.Reserved r -> {
                if (call.mode() != Mode.DRY_RUN) {
                    spend("toolgate.spend.reserved", "reserved against", plan, plan.estimateUsdMicros(), meters);
                }
                yield Uni.createFrom().item(new StageResult.Continue(
                        call.withAction(resolved).withUsage(usage(plan, r.rates(), r.budgets())),
                        call.mode() == Mode.DRY_RUN ? Optional.empty()
                                : Optional.of(new Settlement(store, plan, meters))));
            }
            case LimitsStore.Killed k -> Uni.createFrom().item(StageResult.deny(Denial.of(Reason.KILL_SWITCH,
                    "a kill switch is engaged for " + k.field() + ": " + k.reason())));
            case LimitsStore.RateLimited r -> Uni.createFrom().item(rateLimited(call, plan, r));
            case LimitsStore.OverBudget o -> overBudget(call, resolved, ctx, plan, o);
        };
    }

    /** The denial carries the call with its rate usage, so the answer can show every limit's state. */
    private static StageResult rateLimited(ToolCall call, LimitsPlan plan, LimitsStore.RateLimited r) {
        RateLimitSpec spec = plan.rateSpecs().get(r.index());
        long seconds = Math.max(1, (r.retryAfter().toMillis() + 999) / 1000);
        Denial denial = Denial.of(Reason.RATE_LIMITED, "rate limit " + spec.name() + " (" + spec.permits() + " per "
                + spec.period().toMillis() + " ms) is exhausted")
                .with("limit", spec.name())
                .with("retry_after", seconds);
        return new StageResult.Deny(denial, Optional.of(call.withUsage(usage(plan, r.rates(), List.of()))));
    }

    private Uni<StageResult> overBudget(ToolCall call, ResolvedAction resolved, CallContext ctx, LimitsPlan plan,
            LimitsStore.OverBudget o) {
        BudgetSpec spec = plan.budgetSpecs().get(o.index());
        Denial exceeded = Denial.of(Reason.BUDGET_EXCEEDED, "budget " + spec.name() + " cannot admit "
                + plan.estimateUsdMicros() + " micro-dollars")
                .with("budget", spec.name())
                .with("cap_usd_micros", spec.capUsdMicros())
                .with("remaining_usd_micros", o.state().remainingUsdMicros())
                .with("estimate_usd_micros", plan.estimateUsdMicros());
        return switch (spec.overBudget()) {
            case STOP -> Uni.createFrom().item(StageResult.deny(exceeded));
            case ESCALATE -> escalate(call, spec, plan, o, exceeded);
            case DEGRADE -> Uni.createFrom().item(degrade(call, resolved, ctx, exceeded));
        };
    }

    /**
     * A spent {@code degrade} budget: the call becomes its fallback, a call of its own that every stage after identity
     * decides (grant, kill switches, schema, policy, approval, its own limits). A fallback that is over budget in turn
     * is denied: a call degrades once.
     */
    private static StageResult degrade(ToolCall call, ResolvedAction resolved, CallContext ctx, Denial exceeded) {
        if (call.degradation().isPresent()) {
            return StageResult.deny(exceeded);
        }
        return Fallbacks.degrade(call, resolved, ctx.contract())
                .map(next -> switch (next) {
                    case Fallbacks.Next.DryRun d -> (StageResult) new StageResult.Continue(call.withMode(Mode.DRY_RUN));
                    case Fallbacks.Next.Call c -> new StageResult.Degrade(c.fallback());
                    case Fallbacks.Next.Refused r -> StageResult.deny(r.denial());
                })
                .orElseGet(() -> StageResult.deny(exceeded));
    }

    /**
     * A spent {@code escalate} budget: a human decides whether to spend more. An approval request bound to the call's
     * payload is opened (its reasons name the budget), and the agent repeats the call with it once signed off.
     */
    private Uni<StageResult> escalate(ToolCall call, BudgetSpec spec, LimitsPlan plan, LimitsStore.OverBudget o,
            Denial exceeded) {
        Denial required = new Denial(Reason.APPROVAL_REQUIRED,
                "budget " + spec.name() + " is spent: spending more needs a human sign-off", List.of(),
                exceeded.extensions()).with("approval_tier", "required");
        if (escalations == null || escalations.isUnsatisfied() || call.mode() == Mode.DRY_RUN) {
            return Uni.createFrom().item(StageResult.deny(required));
        }
        String reason = Escalations.REASON_PREFIX + "budget " + spec.name() + " (cap " + spec.capUsdMicros()
                + " micro-dollars, " + o.state().remainingUsdMicros() + " left) cannot admit "
                + plan.estimateUsdMicros() + " micro-dollars";
        return escalations.get().open(call, List.of(reason)).map(asked -> switch (asked) {
            case Escalations.Asked.Waiting w -> (StageResult) new StageResult.Suspend(required
                    .with("approval_id", w.approvalId())
                    .with("payload_sha256", call.action().orElseThrow().payloadSha256()));
            case Escalations.Asked.Refused r -> StageResult.deny(r.denial());
        });
    }

    /** The store did not answer: apply the tool's failure modes. */
    private Uni<StageResult> unavailable(ToolCall call, ToolSpec tool, CallContext ctx, LimitsPlan plan,
            Throwable fault) {
        LOG.warnf("call %s: limits store unavailable (%s)", call.id(), fault.toString());
        LOG.debug("limits store fault", fault);
        boolean spendCapsApply = !plan.budgetSpecs().isEmpty();
        if (spendCapsApply && tool.spendFailureMode() == FailureMode.CLOSED) {
            return Uni.createFrom().item(StageResult.deny(Denial.of(Reason.LIMITS_UNAVAILABLE,
                    "spend caps cannot be checked right now; the call is refused (fail closed)")));
        }
        boolean ratesApply = !plan.rateSpecs().isEmpty();
        if (ratesApply && tool.rateFailureMode() == FailureMode.CLOSED) {
            return Uni.createFrom().item(StageResult.deny(Denial.of(Reason.LIMITS_UNAVAILABLE,
                    "rate limits cannot be checked right now; the call is refused (fail closed)")));
        }
        List<String> opened = new ArrayList<>();
        if (spendCapsApply) {
            opened.add("spend");
        }
        if (ratesApply) {
            opened.add("rate");
        }
        if (opened.isEmpty()) {
            // nothing counts this call; the runtime kill switches were checked from memory by the kill switch stage
            return Uni.createFrom().item(new StageResult.Continue(call));
        }
        // rate limits fall back to this instance's own limiter; budgets go unchecked
        LimitsStore.ReserveRequest ratesOnly = new LimitsStore.ReserveRequest(plan.request().tenant(),
                plan.request().reservationId(), List.of(), plan.request().rates(), List.of(), plan.request().now(),
                plan.request().lease(), plan.request().dryRun());
        return local.reserve(ratesOnly).onItem().transformToUni(local -> {
            if (local instanceof LimitsStore.RateLimited r) {
                return Uni.createFrom().item(rateLimited(call, plan, r));
            }
            String what = String.join(",", opened);
            meters.counter("toolgate.limits.fail_open", "tool", tool.name(), "what", what).increment();
            return audit
                    .failOpen(call, ctx.policyRevision(), "limits", what + " unchecked: " + fault.getClass().getSimpleName())
                    .replaceWith((StageResult) new StageResult.Continue(call));
        });
    }

    private static Usage usage(LimitsPlan plan, List<LimitsStore.RateState> rates,
            List<LimitsStore.BudgetState> budgets) {
        List<Usage.RateUsage> rateUsage = new ArrayList<>();
        for (int i = 0; i < rates.size() && i < plan.rateSpecs().size(); i++) {
            RateLimitSpec spec = plan.rateSpecs().get(i);
            rateUsage.add(new Usage.RateUsage(spec.name(), spec.permits(), spec.period(), rates.get(i).remaining(),
                    rates.get(i).reset()));
        }
        List<Usage.BudgetUsage> budgetUsage = new ArrayList<>();
        for (int i = 0; i < budgets.size() && i < plan.budgetSpecs().size(); i++) {
            BudgetSpec spec = plan.budgetSpecs().get(i);
            budgetUsage.add(new Usage.BudgetUsage(spec.name(), spec.capUsdMicros(), budgets.get(i).spentUsdMicros(),
                    budgets.get(i).reservedUsdMicros()));
        }
        return new Usage(rateUsage, budgetUsage);
    }

    /** Adds {@code usdMicros} to the counter {@code name} of every budget the call counts against. */
    private static void spend(String name, String what, LimitsPlan plan, long usdMicros, MeterRegistry meters) {
        for (BudgetSpec budget : plan.budgetSpecs()) {
            // budget names come from the contract: a bounded label set
            Counter.builder(name).baseUnit("usd_micros")
                    .description("Micro-dollars " + what + " each budget")
                    .tag("budget", budget.name())
                    .register(meters).increment(usdMicros);
        }
    }

    /**
     * Settles the reservation at the actual cost, or releases it when the call never ran. A settle the store cannot
     * take (Redis down) is tried again in the background while the reservation's lease lasts, so that the spend of a
     * call the tool answered during an outage is still counted when Redis is back in time (settling is idempotent).
     */
    private record Settlement(LimitsStore store, LimitsPlan plan, MeterRegistry meters) implements AfterCall {

        @Override
        public Uni<Void> forwarded(ToolCall call, OptionalLong reportedCostUsdMicros,
                Optional<dev.toolgate.pipeline.StoredReply> reply) {
            long actual = reportedCostUsdMicros.orElse(plan.estimateUsdMicros());
            spend("toolgate.spend.settled", "settled against", plan, actual, meters);
            LimitsStore.SettleRequest settle = new LimitsStore.SettleRequest(plan.request().tenant(),
                    plan.request().reservationId(), plan.budgetKeys(), actual);
            return store.settle(settle).replaceWithVoid().onFailure().invoke(fault -> LateSettlements.retry(store,
                    settle, plan.request().now().plus(plan.request().lease())));
        }

        @Override
        public Uni<Void> abandoned(ToolCall call) {
            return store.release(new LimitsStore.SettleRequest(plan.request().tenant(),
                    plan.request().reservationId(), plan.budgetKeys(), 0)).replaceWithVoid();
        }
    }

}
