/**
 * What the stores of every stage share, without being a stage: the one Redis connection ({@code toolgate.redis}),
 * its per-call time limit ({@code toolgate.redis-timeout}), and Lua scripts called by SHA-1.
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link dev.toolgate.store.SharedRedis}, the application's connection (or none: the stores are then
 * embedded).</li>
 * <li>{@link dev.toolgate.store.RedisConnection}: the pool, {@code call} under the timeout, {@code EVALSHA} with
 * {@code NOSCRIPT} reload-and-retry.</li>
 * <li>{@link dev.toolgate.store.RedisScript}: a script read from the classpath with its SHA-1.</li>
 * </ul>
 *
 * <h2>Keys</h2>
 * Every key of a tenant starts with {@code tg:{tenant}:}; the braces are Redis Cluster's hash tag, so each script's
 * keys share one slot.
 *
 * <h2>Failures</h2>
 * A call that Redis does not answer within the timeout, or answers with an error, fails with
 * {@link dev.toolgate.store.StoreUnavailableException}; the stage applies its failure mode. A script Redis refuses
 * fails with {@link dev.toolgate.store.ScriptRefusedException}, a bug that stops startup.
 *
 * <h2>Dependencies</h2>
 * Stages may use this package; it knows no stage.
 */
package dev.toolgate.store;
