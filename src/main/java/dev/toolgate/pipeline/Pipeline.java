package dev.toolgate.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;

/**
 * Runs a call through the stages in order, then, when every stage let it through, records the intent, forwards it and
 * records the outcome. The one place that knows this sequence; ingress adapters only translate.
 */
@ApplicationScoped
public class Pipeline {

    private static final Logger LOG = Logger.getLogger(Pipeline.class);

    private final List<Stage> stages;
    private final AuditLog audit;
    private final Active active;
    private final MeterRegistry meters;
    private final PendingReports pending;
    private final Endings endings;
    /** How long each stage takes to decide, by position: {@code toolgate.stage.duration}. */
    private final List<Timer> stageTimers;

    private final Tracing tracing;

    @Inject
    Pipeline(@Any Instance<Stage> stages, AuditLog audit, Active active, MeterRegistry meters, PendingReports pending,
            Tracing tracing) {
        this(stages.stream().toList(), audit, active, meters, pending, tracing);
    }

    /** The stages in any order: they run by position. Nothing is traced. */
    Pipeline(List<Stage> stages, AuditLog audit, Active active, MeterRegistry meters, PendingReports pending) {
        this(stages, audit, active, meters, pending, Tracing.NONE);
    }

    /** The stages in any order: they run by position. */
    Pipeline(List<Stage> stages, AuditLog audit, Active active, MeterRegistry meters, PendingReports pending,
            Tracing tracing) {
        this.tracing = tracing;
        this.stages = stages.stream().sorted(Comparator.comparingInt(Stage::position)).toList();
        this.audit = audit;
        this.active = active;
        this.meters = meters;
        this.pending = pending;
        this.endings = new Endings(audit, meters);
        this.stageTimers = this.stages.stream().map(stage -> Timer.builder("toolgate.stage.duration")
                .description("How long a stage takes to decide a call")
                .tag("stage", stage.name())
                .publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofNanos(5_000))
                .maximumExpectedValue(java.time.Duration.ofSeconds(10))
                .register(meters)).toList();
    }

    /** The stage names in the order they run. */
    public List<String> stageNames() {
        return stages.stream().map(Stage::name).toList();
    }

    /**
     * Handles one call.
     *
     * @param call the call as the ingress adapter received it
     * @param upstream how to forward it when allowed
     * @return how it ended; never a failed {@code Uni}
     */
    public <R> Uni<Outcome<R>> handle(ToolCall call, Upstream<R> upstream) {
        return handle(call, ToolSchemas.UNDECLARED, upstream);
    }

    /**
     * Handles one call of a tool that may declare schemas of its own.
     *
     * @param schemas where the contract stage learns the tool's own schema for the call's action
     * @return how it ended; never a failed {@code Uni}
     */
    public <R> Uni<Outcome<R>> handle(ToolCall call, ToolSchemas schemas, Upstream<R> upstream) {
        return run(0, call, schemas, upstream);
    }

    /**
     * Handles one call of a caller identified already ({@link #admit}): every stage after identity decides it.
     *
     * @param call the call as the ingress adapter received it, with the credential {@code who} was identified by
     * @return how it ended; never a failed {@code Uni}
     */
    public <R> Uni<Outcome<R>> handle(Identified who, ToolCall call, ToolSchemas schemas, Upstream<R> upstream) {
        if (!who.presentedBy(call.credential())) {
            // an ingress bug: the identity of one request lent to the call of another
            return refuse(call, Denial.of(Reason.UNAUTHENTICATED, "the call is not the identified caller's"));
        }
        return run(firstAfterIdentity(), call.withPrincipal(who.principal()), schemas, upstream);
    }

    /**
     * Identifies the caller of a request once, for the calls it carries ({@link #handle(Identified, ToolCall,
     * ToolSchemas, Upstream)}).
     *
     * @return the identified caller, or the denial (never a failed {@code Uni})
     */
    public Uni<Admission> admit(ToolCall probe) {
        return identify(probe).map(result -> result instanceof StageResult.Continue c && c.call().principal().isPresent()
                ? new Admission.Admitted(new Identified(c.call().principal().get(), probe.credential()))
                : new Admission.Refused(result instanceof StageResult.Deny d ? d.denial()
                        : Denial.of(Reason.UNAUTHENTICATED, "the caller could not be identified")));
    }

    private <R> Uni<Outcome<R>> run(int from, ToolCall received, ToolSchemas schemas, Upstream<R> upstream) {
        Tracing.CallTrace trace = tracing.start(received);
        // from here on the call's trace context is toolgate's span (the agent's when nothing is traced)
        ToolCall call = trace.context().isPresent() ? received.withTrace(trace.context()) : received;
        // startup loads the contract and bundle before the HTTP port opens, so a snapshot is always there
        CallContext ctx = active.snapshot().withSchemas(schemas).withTrace(trace);
        List<AfterCall> afters = new ArrayList<>();
        return runFrom(from, call, ctx, afters)
                .onItem().<Outcome<R>> transformToUni(step -> switch (step) {
                    case Step.Passed p -> this.<R> passed(p.call(), ctx, upstream, afters);
                    case Step.Stopped s -> abandoned(s.call(), afters).chain(() -> this.<R> stopped(s.call(), ctx, s.denial()));
                    case Step.Replayed r -> abandoned(r.call(), afters).chain(() -> this.<R> replayed(r, ctx, upstream));
                })
                .onFailure().recoverWithUni(fault -> {
                    // the intent or denial record could not be made durable (or an Upstream broke its promise to
                    // answer failures as items): nothing went ahead unrecorded, so the call fails closed
                    LOG.warnf("call %s failed closed: %s", call.id(), fault.toString());
                    LOG.debug("gateway fault", fault);
                    Denial denial = Denial.of(Reason.GATEWAY_ERROR, "the gateway could not record the call");
                    endings.count(call, "error", denial.reason().code());
                    return abandoned(call, afters)
                            .replaceWith((Outcome<R>) new Outcome.Refused<R>(call, ctx.policyRevision(), denial));
                })
                .invoke(trace::end);
    }

    /**
     * Identifies a caller without deciding a call: runs the stages up to and including identity (for APIs such as
     * {@code /v1/report} and the admin API that need a principal, not a decision).
     *
     * @return the call with its principal, or the denial
     */
    public Uni<StageResult> identify(ToolCall call) {
        CallContext ctx = active.snapshot();
        List<Stage> identifying = stages.stream().filter(s -> s.position() <= Stages.IDENTIFY).toList();
        Uni<StageResult> result = Uni.createFrom().item(new StageResult.Continue(call));
        for (Stage stage : identifying) {
            result = result.chain(r -> r instanceof StageResult.Continue c ? stage.apply(c.call(), ctx)
                    : Uni.createFrom().item(r));
        }
        return result.onFailure().recoverWithItem(fault -> StageResult.deny(Denial.of(Reason.GATEWAY_ERROR,
                "the caller could not be identified")));
    }

    /**
     * Which actions an identified caller may see: every stage after identity filters the candidates in turn (see
     * {@link Stage#shows}). Nothing is forwarded, consumed or audited.
     *
     * @param candidates one call per action, identified, in mode {@link Mode#LIST}
     * @return the candidates every stage shows, in order; empty when a stage fails (listing fails closed)
     */
    public Uni<List<ToolCall>> visible(List<ToolCall> candidates) {
        return visible(candidates, active.snapshot());
    }

    private Uni<List<ToolCall>> visible(List<ToolCall> candidates, CallContext ctx) {
        Uni<List<ToolCall>> shown = Uni.createFrom().item(candidates);
        for (Stage stage : stages) {
            if (stage.position() > Stages.IDENTIFY) {
                shown = shown.chain(left -> left.isEmpty() ? Uni.createFrom().item(left)
                        : Uni.createFrom().deferred(() -> stage.shows(left, ctx)));
            }
        }
        return shown.onFailure().recoverWithItem(fault -> {
            LOG.warnf("listing failed closed: %s", fault.toString());
            return List.of();
        });
    }

    /**
     * Settles a checked call that its caller performed itself: finishes the stages' after-work at the reported cost
     * and records the outcome.
     *
     * @param reporter the identified caller; only the agent that checked the call may report it
     * @return the reported call, or empty when no live check of this decision id belongs to the reporter
     */
    public Uni<Optional<ToolCall>> report(String decisionId, Principal reporter,
            OptionalLong costUsdMicros, String status) {
        Optional<PendingReports.Pending> found = pending.take(decisionId, reporter);
        if (found.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        PendingReports.Pending p = found.get();
        List<AfterCall> afters = new ArrayList<>(p.afters());
        return forwarded(p.call(), afters, costUsdMicros, Optional.empty())
                .chain(() -> endings.afterForward(audit.outcome(p.call(), p.policyRevision(), status, Optional.empty(),
                        costUsdMicros), p.call(), Optional.of(p.call())));
    }

    /**
     * Refuses a call the ingress could not even hand to the stages (a body over the limit, a malformed header): it is
     * counted and audited like any denial.
     */
    public <R> Uni<Outcome<R>> refuse(ToolCall received, Denial denial) {
        String revision = active.policyRevision();
        Tracing.CallTrace trace = tracing.start(received);
        ToolCall call = trace.context().isPresent() ? received.withTrace(trace.context()) : received;
        return endings.<R> denied(call, revision, denial).onFailure().recoverWithItem(fault -> {
            endings.count(call, "error", Reason.GATEWAY_ERROR.code());
            return new Outcome.Refused<R>(call, revision, Denial.of(Reason.GATEWAY_ERROR,
                    "the gateway could not record the call"));
        }).invoke(trace::end);
    }

    /** Where the stages left a call. */
    private sealed interface Step {
        record Passed(ToolCall call) implements Step {
        }

        record Stopped(ToolCall call, Denial denial) implements Step {
        }

        record Replayed(ToolCall call, StoredReply reply, String originalDecisionId) implements Step {
        }
    }

    private Uni<Step> runFrom(int index, ToolCall call, CallContext ctx, List<AfterCall> afters) {
        if (index == stages.size()) {
            return Uni.createFrom().item(new Step.Passed(call));
        }
        Stage stage = stages.get(index);
        Timer timer = stageTimers.get(index);
        // timed from the subscription to the result (or the failure it is recovered as), without an operator of its own
        long[] start = new long[1];
        return Uni.createFrom().deferred(() -> {
            start[0] = System.nanoTime();
            return stage.apply(call, ctx);
        })
                .onFailure().recoverWithItem(fault -> {
                    LOG.warnf("stage %s failed on call %s, failing closed: %s", stage.name(), call.id(),
                            fault.toString());
                    LOG.debug("stage fault", fault);
                    return new StageResult.Deny(Denial.of(Reason.GATEWAY_ERROR,
                            "the " + stage.name() + " stage could not decide"));
                })
                .onItem().transformToUni(result -> {
                    long end = System.nanoTime();
                    timer.record(end - start[0], TimeUnit.NANOSECONDS);
                    ctx.trace().stage(stage.name(), start[0], end, result.kind());
                    return next(index, call, ctx, afters, result);
                });
    }

    private Uni<Step> next(int index, ToolCall call, CallContext ctx, List<AfterCall> afters, StageResult result) {
        return switch (result) {
            case StageResult.Continue c -> {
                c.after().ifPresent(afters::add);
                yield runFrom(index + 1, c.call(), ctx, afters);
            }
            case StageResult.Deny d -> Uni.createFrom().item(new Step.Stopped(d.resolved().orElse(call), d.denial()));
            case StageResult.Suspend s -> Uni.createFrom().item(new Step.Stopped(call, s.denial()));
            case StageResult.Replay r -> Uni.createFrom().item(
                    new Step.Replayed(r.call(), r.reply(), r.originalDecisionId()));
            case StageResult.Degrade d -> degraded(call, d.fallback(), ctx, afters);
        };
    }

    /**
     * A call replaced by its fallback: the after-work of the stages so far is abandoned (a reservation released, an
     * approval given back), then the fallback runs every stage after identity as the call it is.
     */
    private Uni<Step> degraded(ToolCall call, ToolCall fallback, CallContext ctx, List<AfterCall> afters) {
        if (call.degradation().isPresent()) {
            // a stage broke its promise never to degrade a fallback: fail closed rather than loop
            return Uni.createFrom().item(new Step.Stopped(call, Denial.of(Reason.GATEWAY_ERROR,
                    "a fallback call cannot be degraded again")));
        }
        endings.count(call, "degraded", "");
        return abandoned(call, afters).chain(() -> runFrom(firstAfterIdentity(), fallback, ctx, afters));
    }

    private int firstAfterIdentity() {
        for (int i = 0; i < stages.size(); i++) {
            if (stages.get(i).position() > Stages.IDENTIFY) {
                return i;
            }
        }
        return stages.size();
    }

    private <R> Uni<Outcome<R>> stopped(ToolCall call, CallContext ctx, Denial denial) {
        if (call.mode() == Mode.DRY_RUN && call.principal().isPresent()) {
            return endings.proposed(call, ctx.policyRevision(), Optional.of(denial));
        }
        return endings.denied(call, ctx.policyRevision(), denial);
    }

    private <R> Uni<Outcome<R>> passed(ToolCall call, CallContext ctx, Upstream<R> upstream, List<AfterCall> afters) {
        if (call.mode() == Mode.DRY_RUN) {
            return abandoned(call, afters).chain(() -> endings.proposed(call, ctx.policyRevision(), Optional.empty()));
        }
        long[] sentAt = new long[1];
        Tracing.UpstreamTrace[] exchange = new Tracing.UpstreamTrace[1];
        return audit.intent(call, ctx.policyRevision())
                .invoke(() -> sentAt[0] = System.nanoTime())
                .chain(() -> {
                    exchange[0] = ctx.trace().upstream(call);
                    // the tool continues the trace from the span of this exchange
                    ToolCall sent = exchange[0].context().isPresent() ? call.withTrace(exchange[0].context()) : call;
                    return Sending.sent(sent, ctx, upstream, candidates -> visible(candidates, ctx));
                })
                .invoke(result -> {
                    endings.timeUpstream(call, result, System.nanoTime() - sentAt[0]);
                    exchange[0].end(result);
                })
                .chain(result -> switch (result) {
                    case UpstreamResult.Replied<R> r -> {
                        endings.count(call, "forwarded", "");
                        yield forwarded(call, afters, r.costUsdMicros(), Sending.kept(call, upstream, r.reply()))
                                .chain(() -> endings.afterForward(
                                        audit.outcome(call, ctx.policyRevision(), r.status(), Optional.empty(),
                                                r.costUsdMicros()),
                                        call,
                                        (Outcome<R>) new Outcome.Answered<>(call, ctx.policyRevision(), r.reply())));
                    }
                    case UpstreamResult.Handed<R> h -> {
                        if (!pending.admit(call)) {
                            yield tooManyChecks(call, ctx, afters);
                        }
                        endings.count(call, "checked", "");
                        Optional<StoredReply> kept = Sending.kept(call, upstream, h.reply());
                        yield AfterCalls.tell(call, afters, after -> after.handed(call, kept), meters).map(told -> {
                            pending.hold(call, ctx.policyRevision(), afters);
                            afters.clear();
                            return (Outcome<R>) new Outcome.Answered<>(call, ctx.policyRevision(), h.reply());
                        }).onFailure().invoke(() -> pending.withdraw(call));
                    }
                    case UpstreamResult.Failed<R> f -> {
                        endings.count(call, "failed", f.denial().reason().code());
                        // a call that never left is released like any call not forwarded; one that may have reached
                        // the tool may have acted before it failed: settled at the estimate, never released
                        boolean sent = f.delivery() == UpstreamResult.Delivery.MAYBE_SENT;
                        Uni<Void> finished = sent ? forwarded(call, afters, OptionalLong.empty(), Optional.empty())
                                : abandoned(call, afters);
                        yield finished.chain(() -> endings.afterForward(audit.outcome(call, ctx.policyRevision(),
                                sent ? "failed" : "not_sent", Optional.of(f.denial())), call,
                                (Outcome<R>) new Outcome.Refused<>(call, ctx.policyRevision(), f.denial())));
                    }
                });
    }

    /**
     * A check its agent may not have held, having the most checks waiting for their report it may: released like any
     * call not forwarded, its outcome recorded, refused as {@code rate_limited}.
     */
    private <R> Uni<Outcome<R>> tooManyChecks(ToolCall call, CallContext ctx, List<AfterCall> afters) {
        Denial denial = Denial.of(Reason.RATE_LIMITED, "agent " + call.principal().orElseThrow().agent() + " has "
                + pending.maxPerAgent() + " checks waiting for their report, the most it may"
                + " (toolgate.limits.max-pending-checks); report them, or wait for their leases to run out")
                .with("limit", "limits.max-pending-checks")
                .with("max_pending", pending.maxPerAgent());
        endings.count(call, "failed", denial.reason().code());
        return abandoned(call, afters).chain(() -> endings.afterForward(
                audit.outcome(call, ctx.policyRevision(), "not_sent", Optional.of(denial)), call,
                (Outcome<R>) new Outcome.Refused<>(call, ctx.policyRevision(), denial)));
    }

    private Uni<Void> forwarded(ToolCall call, List<AfterCall> afters, OptionalLong cost, Optional<StoredReply> reply) {
        return AfterCalls.finish(call, afters, after -> after.forwarded(call, cost, reply), meters);
    }

    private Uni<Void> abandoned(ToolCall call, List<AfterCall> afters) {
        return AfterCalls.finish(call, afters, after -> after.abandoned(call), meters);
    }

    /** An idempotent repeat: the kept reply, decoded by the same protocol; a replay consumes nothing. */
    private <R> Uni<Outcome<R>> replayed(Step.Replayed r, CallContext ctx, Upstream<R> upstream) {
        Optional<R> reply = upstream.decode(r.reply());
        if (reply.isEmpty()) {
            // a reply kept by another protocol under the same key: the scope includes the tool, not the protocol
            Denial denial = Denial.of(Reason.IDEMPOTENCY_CONFLICT,
                    "the idempotency key was used through another protocol; its reply cannot be replayed here");
            return stopped(r.call(), ctx, denial);
        }
        if (r.call().mode() == Mode.DRY_RUN) {
            return endings.proposed(r.call(), ctx.policyRevision(), Optional.empty());
        }
        return endings.replayed(r.call(), ctx.policyRevision(), reply.get(), r.originalDecisionId());
    }
}
