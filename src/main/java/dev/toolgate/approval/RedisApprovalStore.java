package dev.toolgate.approval;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.toolgate.store.RedisConnection;
import dev.toolgate.store.RedisScript;
import dev.toolgate.store.TenantKeys;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Approval requests in Redis, shared by every instance. A request is one hash, {@code tg:{tenant}:approval:<id>}
 * (see {@link ApprovalCodec}); the tenant's pending requests are a sorted set by creation time,
 * {@code tg:{tenant}:approvals:pending}. Deciding, redeeming, restoring, listing and expiring are each one Lua script under
 * {@code src/main/resources/approval/}, documented in its header: every rule is checked and the state changed in one
 * atomic step. Keys expire a day after the request does.
 *
 * <h2>Failures</h2>
 * A Redis that does not answer within the connection's timeout fails the {@code Uni} with a
 * {@link dev.toolgate.store.StoreUnavailableException}; a decision or redemption that timed out may still have been
 * applied (a retry then finds it {@code NOT_PENDING} or {@code USED}, never applied twice).
 *
 * <h2>Threads</h2>
 * Nothing blocks; each {@code Uni} completes on a Vert.x event loop, and each subscription sends the operation again.
 */
public final class RedisApprovalStore implements ApprovalStore {

    static final RedisScript OPEN = RedisScript.fromClasspath("approval/open.lua");
    static final RedisScript DECIDE = RedisScript.fromClasspath("approval/decide.lua");
    static final RedisScript REDEEM = RedisScript.fromClasspath("approval/redeem.lua");
    static final RedisScript PENDING = RedisScript.fromClasspath("approval/pending.lua");
    static final RedisScript EXPIRE = RedisScript.fromClasspath("approval/expire.lua");
    static final RedisScript RESTORE = RedisScript.fromClasspath("approval/restore.lua");
    static final List<RedisScript> ALL = List.of(OPEN, DECIDE, REDEEM, PENDING, EXPIRE, RESTORE);

    private final RedisConnection redis;
    private final Clock clock;

    /**
     * @param redis the connection; this store does not own it
     * @param clock what {@link #get} calls now, to read a request past its expiry as expired
     */
    public RedisApprovalStore(RedisConnection redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /** Loads the scripts into Redis (see {@link RedisConnection#loadAll}). */
    public Uni<Void> loadScripts() {
        return redis.loadAll(ALL);
    }

    /** The hash of one request. */
    static String key(String tenant, String id) {
        return TenantKeys.prefix(tenant) + "approval:" + id;
    }

    /** The tenant's pending requests by creation time. */
    static String pendingKey(String tenant) {
        return TenantKeys.prefix(tenant) + "approvals:pending";
    }

    /** An agent's requests by expiry, for the bound on how many may wait. */
    static String agentKey(String tenant, String agent) {
        return TenantKeys.prefix(tenant) + "approvals:agent:" + agent;
    }

    /** The request opened for one call, while it waits. */
    static String sameCallKey(String tenant, String sameCall) {
        return TenantKeys.prefix(tenant) + "approvals:call:" + sameCall;
    }

    @Override
    public Uni<ApprovalStore.Opened> open(Approval request, String sameCall, int maxPending) {
        return redis.call(() -> {
            ApprovalRules.opening(request);
            List<String> args = List.of(request.id(), ApprovalCodec.document(request), request.agent(),
                    request.runId(), request.payloadSha256(), request.tool(),
                    Integer.toString(request.signOffsNeeded()), request.irreversible() ? "1" : "0",
                    Long.toString(ApprovalRules.micros(request.createdAt())),
                    Long.toString(ApprovalRules.micros(request.expiresAt())),
                    Long.toString(request.expiresAt().plus(ApprovalRules.RETENTION).toEpochMilli()),
                    Integer.toString(maxPending), key(request.tenant(), ""));
            List<String> keys = List.of(key(request.tenant(), request.id()), pendingKey(request.tenant()),
                    agentKey(request.tenant(), request.agent()), sameCallKey(request.tenant(), sameCall));
            return redis.eval(OPEN, keys, args).map(reply -> switch (reply.get(0).toInteger()) {
                case 1 -> (Opened) new Opened.Created();
                case 2 -> new Opened.Waiting(reply.get(1).toString(),
                        ApprovalRules.instant(Long.parseLong(reply.get(2).toString())));
                case 3 -> new Opened.TooMany(reply.get(1).toInteger());
                default -> throw new IllegalArgumentException("an approval request with this id exists");
            });
        });
    }

    @Override
    public Uni<Optional<Approval>> get(String tenant, String id) {
        return redis.call(() -> {
            String key = key(tenant, id);
            if (!ApprovalRules.validId(id)) {
                return Future.succeededFuture(Optional.<Approval> empty());
            }
            return redis.send(Request.cmd(Command.HMGET).arg(key).arg("doc").arg("state").arg("approvers")
                    .arg("rejected_by"))
                    .map(reply -> reply.get(0) == null ? Optional.<Approval> empty()
                            : Optional.of(ApprovalRules.asOf(ApprovalCodec.row(reply, 0), clock.instant())));
        });
    }

    @Override
    public Uni<List<Approval>> pending(String tenant, Optional<String> tool, Instant now) {
        return redis.call(() -> redis.eval(PENDING, List.of(pendingKey(tenant)),
                List.of(key(tenant, ""), micros(now), tool.isPresent() ? "1" : "0", tool.orElse("")))
                .map(ApprovalCodec::rows));
    }

    @Override
    public Uni<Decided> decide(String tenant, String id, Sign sign, Instant now) {
        return redis.call(() -> {
            String key = key(tenant, id);
            if (!ApprovalRules.validId(id)) {
                return Future.succeededFuture((Decided) new Decided.Refused(Decided.Cause.NOT_FOUND));
            }
            List<String> args = List.of(id, sign.approver(), sign.approve() ? "1" : "0",
                    sign.reviewedPayloadSha256().isPresent() ? "1" : "0", sign.reviewedPayloadSha256().orElse(""),
                    micros(now));
            return redis.eval(DECIDE, List.of(key, pendingKey(tenant)), args).map(RedisApprovalStore::decided);
        });
    }

    @Override
    public Uni<Redeemed> redeem(String tenant, String id, Redemption redemption, Instant now) {
        return redis.call(() -> {
            String key = key(tenant, id);
            if (!ApprovalRules.validId(id)) {
                return Future.succeededFuture(
                        (Redeemed) new Redeemed.Invalid(Redeemed.Invalid.Cause.NOT_FOUND));
            }
            List<String> args = List.of(redemption.agent(), redemption.runId(), redemption.payloadSha256(),
                    micros(now), redemption.decisionId(), redemption.idempotencyScope().isPresent() ? "1" : "0",
                    redemption.idempotencyScope().orElse(""));
            return redis.eval(REDEEM, List.of(key), args).map(RedisApprovalStore::redeemed);
        });
    }

    @Override
    public Uni<Boolean> restore(String tenant, String id, String decisionId) {
        return redis.call(() -> {
            if (!ApprovalRules.validId(id)) {
                return Future.succeededFuture(false);
            }
            return redis.eval(RESTORE, List.of(key(tenant, id)), List.of(decisionId))
                    .map(reply -> reply.toInteger() == 1);
        });
    }

    @Override
    public Uni<List<Approval>> expire(String tenant, Instant now) {
        return redis.call(() -> redis.eval(EXPIRE, List.of(pendingKey(tenant)), List.of(key(tenant, ""), micros(now)))
                .map(ApprovalCodec::rows));
    }

    private static Decided decided(Response reply) {
        return switch (reply.get(0).toString()) {
            case "recorded" -> new Decided.Recorded(ApprovalCodec.row(reply, 1));
            case "refused" -> new Decided.Refused(Decided.Cause.valueOf(reply.get(1).toString()));
            default -> throw new IllegalStateException("decide.lua answered " + reply.get(0));
        };
    }

    private static Redeemed redeemed(Response reply) {
        return switch (reply.get(0).toString()) {
            case "ok" -> new Redeemed.Ok(ApprovalCodec.row(reply, 1), "1".equals(reply.get(5).toString()));
            case "invalid" -> new Redeemed.Invalid(Redeemed.Invalid.Cause.valueOf(reply.get(1).toString()));
            default -> throw new IllegalStateException("redeem.lua answered " + reply.get(0));
        };
    }

    private static String micros(Instant instant) {
        return Long.toString(ApprovalRules.micros(instant));
    }
}
