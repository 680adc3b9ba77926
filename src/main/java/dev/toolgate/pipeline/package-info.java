/**
 * The pipeline every tool call goes through, whatever protocol it came in on.
 *
 * <h2>Order</h2>
 * Stages run in the order of their {@link dev.toolgate.pipeline.Stage#position() position} (see
 * {@link dev.toolgate.pipeline.Stages}): identify, contract, policy, approval, limits and idempotency. When every stage
 * continues, the {@link dev.toolgate.pipeline.Pipeline} records the intent in the
 * {@link dev.toolgate.pipeline.AuditLog}, forwards through the {@link dev.toolgate.pipeline.Upstream} the ingress
 * supplied, finishes every stage's {@link dev.toolgate.pipeline.AfterCall} (settling a reservation at the reported
 * cost, keeping an idempotent reply) and records the outcome. A call that stops before it is forwarded has its
 * after-calls {@code abandoned} (a reservation released, an approval given back, an idempotency key freed), exactly
 * once.
 *
 * <h2>Promises every stage keeps</h2>
 * <ol>
 * <li>A stage never blocks the event loop. Work that takes CPU time for long (policy evaluation) or that blocks (a JWKS
 * fetch) runs on a worker and the stage returns a {@code Uni} that completes there.</li>
 * <li>A stage depends on {@code dev.toolgate.call}, this package and libraries only: never on another stage, never on
 * an ingress protocol. It sees a {@link dev.toolgate.call.ToolCall}, not a request.</li>
 * <li>A denial is a decision ({@link dev.toolgate.pipeline.StageResult.Deny}) with a stable reason code; a fault is a
 * failed {@code Uni}. The pipeline turns a fault into a {@code gateway_error} denial: stages fail closed.</li>
 * <li>A stage returns a new {@code ToolCall} when it learns something ({@code withPrincipal}, {@code withAction},
 * {@code withDecision}); values are never mutated.</li>
 * <li>A stage never logs credentials or raw arguments.</li>
 * </ol>
 *
 * <h2>Results</h2>
 * The pipeline answers an {@link dev.toolgate.pipeline.Outcome}: {@code Answered} (forwarded, or handed back to a
 * check API caller), {@code Replayed} (an idempotent repeat answered with the kept reply, nothing forwarded),
 * {@code Refused} (denied or the upstream failed) or {@code Proposed} (dry run: every stage evaluated, nothing
 * forwarded or consumed). A dry run of an unauthenticated call is refused like any other: nobody gets a proposal
 * without an identity.
 *
 * <h2>Listing</h2>
 * Which actions a caller may see (an MCP {@code tools/list}) is the same pipeline asked another question:
 * {@link dev.toolgate.pipeline.Pipeline#visible} hands every stage after identity one candidate call per action, in mode
 * {@link dev.toolgate.call.Mode#LIST} and without arguments, and keeps what each stage's
 * {@link dev.toolgate.pipeline.Stage#shows} keeps. A stage hides what it would refuse whatever the arguments; nothing is
 * consumed or forwarded.
 *
 * <h2>Between stages</h2>
 * Stages never call each other. What one stage needs from a later one travels on the call (e.g.
 * {@code ToolCall.ApprovalUse}), and what a later stage needs from an earlier one's machinery goes through an interface
 * of this package ({@link dev.toolgate.pipeline.Escalations}: a spent budget asks the approval flow for a sign-off).
 *
 * <h2>Thread safety</h2>
 * Stages are application-scoped and shared by all calls; they hold no per-call state. The contract and policy
 * revision of a call are fixed when it arrives ({@link dev.toolgate.pipeline.CallContext}).
 */
package dev.toolgate.pipeline;
