/**
 * The policy stage: OPA policies compiled to WebAssembly, evaluated in-process.
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link dev.toolgate.policy.PolicyBundle} reads an {@code opa build -t wasm} bundle and names its revision.</li>
 * <li>{@link dev.toolgate.policy.OpaEngine} evaluates the {@code toolgate/decision} entrypoint on a pool of
 * single-threaded Wasm instances.</li>
 * <li>{@link dev.toolgate.policy.PolicyInput} builds the input document and
 * {@link dev.toolgate.policy.DecisionReader} reads the decision document; both documents are contracts with every
 * policy, described in {@code policies/README.md}.</li>
 * <li>{@link dev.toolgate.policy.PolicyStage} puts them together in the pipeline.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * An evaluation takes CPU time, so it never runs on an event loop: the engine has one worker thread
 * ({@code toolgate-policy-N}) per Wasm instance and delivers results back on the caller's Vert.x context. No instance
 * is ever used by two threads at once.
 *
 * <h2>Failures</h2>
 * A bundle that cannot be loaded stops startup. On the request path every problem (a failed evaluation, an undefined
 * or malformed decision) is the denial {@code policy_denied}: the stage fails closed.
 */
package dev.toolgate.policy;
