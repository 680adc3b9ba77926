/**
 * Rate limits, spend budgets with reservations, and runtime kill switches: the state behind the limits stage.
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link dev.toolgate.limits.LimitsStore} is the contract: one atomic reserve (kill switches, GCRA rate limits,
 * budgets, all or nothing), settle or release, the lease sweep, and the admin reads and writes.</li>
 * <li>{@link dev.toolgate.limits.RedisLimitsStore} keeps it in Redis for every instance, one Lua script per operation
 * ({@code src/main/resources/limits/*.lua}, each documented in its header).</li>
 * <li>{@link dev.toolgate.limits.EmbeddedLimitsStore} keeps it in memory for a single instance.</li>
 * <li>{@link dev.toolgate.limits.LimitsStores} picks one from {@code toolgate.redis}.</li>
 * </ul>
 *
 * <h2>Numbers</h2>
 * Money is integer micro-dollars, time integer microseconds. Amounts, caps and GCRA windows are at most 2^51, so that
 * the Lua scripts' doubles count every one exactly; larger ones are refused as a bug.
 *
 * <h2>Threads</h2>
 * No operation blocks: the Redis store answers on a Vert.x event loop, the embedded store computes in microseconds
 * under a per-tenant lock.
 *
 * <h2>Failures</h2>
 * A failed {@code Uni} is a fault, never a decision: {@link dev.toolgate.limits.LimitsUnavailableException} when Redis
 * cannot be reached within {@code toolgate.redis-timeout}, {@link java.lang.IllegalArgumentException} for a request
 * that breaks the rules above. The caller applies the tool's failure mode.
 */
package dev.toolgate.limits;
