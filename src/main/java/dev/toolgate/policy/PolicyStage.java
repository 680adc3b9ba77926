package dev.toolgate.policy;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Decision;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.Stage;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.Stages;
import io.smallrye.mutiny.Uni;

/**
 * The policy stage: asks the bundle's {@code toolgate/decision} whether a resolved call may go ahead.
 * <ul>
 * <li>allowed: the call continues carrying the {@link Decision} (its approval tier and redactions are for the stages
 * after this one; this stage does not act on them);</li>
 * <li>{@code allow: false}: {@code policy_denied}, the policy's reasons joined as the detail and listed in the
 * {@code reasons} member;</li>
 * <li>a missing or malformed decision, or an evaluation that failed: {@code policy_denied}. The stage fails closed
 * and never turns a problem of the policy into an allow.</li>
 * </ul>
 * Evaluation runs on the engine's workers, never on the caller's thread.
 */
@ApplicationScoped
public class PolicyStage implements Stage {

    private static final Logger LOG = Logger.getLogger(PolicyStage.class);

    private final PolicyEngines engines;
    private final ShadowPolicy shadow;

    @jakarta.inject.Inject
    PolicyStage(PolicyEngines engines, ShadowPolicy shadow) {
        this.engines = engines;
        this.shadow = shadow;
    }

    /** A stage of one engine, without a shadow bundle. */
    PolicyStage(OpaEngine engine) {
        this(PolicyEngines.of(engine), ShadowPolicy.none());
    }

    @Override
    public int position() {
        return Stages.POLICY;
    }

    @Override
    public String name() {
        return "policy";
    }

    @Override
    public Uni<StageResult> apply(ToolCall call, CallContext ctx) {
        if (call.principal().isEmpty() || call.action().isEmpty()) {
            // the identify and contract stages run first: reaching here unresolved is a bug, never an allow
            return Uni.createFrom().item(deny("no resolved call to decide"));
        }
        ObjectNode input = PolicyInput.of(call, ctx);
        // the engine of the revision the call started with, even if a reload came since
        OpaEngine engine = engines.forRevision(ctx.policyRevision());
        return Uni.createFrom().deferred(() -> engine.evaluate(input))
                .map(result -> decide(engine, call, input, result))
                .onFailure().recoverWithItem(fault -> {
                    LOG.warnf("call %s: policy evaluation failed (%s), denied", call.id(),
                            fault.getClass().getSimpleName());
                    LOG.debug("policy evaluation fault", fault);
                    return deny("the policy could not be evaluated");
                });
    }

    /**
     * Shows the actions the policy allows in a listing query ({@code call.mode: "list"}, no arguments); a denial, a
     * malformed decision or a failed evaluation hides the action.
     */
    @Override
    public Uni<List<ToolCall>> shows(List<ToolCall> candidates, CallContext ctx) {
        List<Uni<Optional<ToolCall>>> each = candidates.stream()
                .map(call -> Uni.createFrom().deferred(() -> engines.forRevision(ctx.policyRevision())
                        .evaluate(PolicyInput.of(call, ctx)))
                        .map(result -> decide(engines.forRevision(ctx.policyRevision()), call, null,
                                result) instanceof StageResult.Continue c
                                        ? Optional.of(c.call())
                                        : Optional.<ToolCall> empty())
                        .onFailure().recoverWithItem(Optional.empty()))
                .toList();
        return Uni.join().all(each).andFailFast()
                .map(shown -> shown.stream().flatMap(Optional::stream).toList());
    }

    /** @param input the input decided on, kept with the decision for the audit log; null for a listing query */
    private StageResult decide(OpaEngine engine, ToolCall call, ObjectNode input, JsonNode result) {
        DecisionReader.Result read = DecisionReader.read(result, engine.revision());
        StageResult decided = decide(call, input, read);
        // a listing query is not shadowed: it decides what is shown, not a call
        if (input != null && shadow.enabled()) {
            ToolCall withDecision = switch (decided) {
                case StageResult.Continue c -> c.call();
                case StageResult.Deny d -> d.resolved().orElse(call);
                default -> call;
            };
            shadow.compare(withDecision, engine.revision(), input, read);
        }
        return decided;
    }

    private StageResult decide(ToolCall call, ObjectNode input, DecisionReader.Result read) {
        return switch (read) {
            case DecisionReader.Result.Malformed m -> {
                LOG.warnf("call %s: the policy returned no valid decision (%s), denied", call.id(), m.problem());
                yield deny("the policy returned no valid decision: " + m.problem());
            }
            case DecisionReader.Result.Valid v when !v.decision().allow() -> {
                List<String> reasons = v.decision().reasons();
                String detail = reasons.isEmpty() ? "denied by policy" : String.join("; ", reasons);
                // the denial carries the decision, so the audit record keeps it (and redacts by it)
                yield new StageResult.Deny(Denial.of(Reason.POLICY_DENIED, detail).with("reasons", reasons),
                        Optional.of(call.withDecision(kept(v.decision(), input))));
            }
            case DecisionReader.Result.Valid v -> StageResult.next(call.withDecision(kept(v.decision(), input)));
        };
    }

    private static Decision kept(Decision decision, ObjectNode input) {
        return input == null ? decision : decision.withInput(input);
    }

    private static StageResult deny(String detail) {
        return StageResult.deny(Denial.of(Reason.POLICY_DENIED, detail));
    }
}
