package dev.toolgate.approval;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import dev.toolgate.approval.ApprovalStore.Approval;
import io.smallrye.mutiny.Uni;

/**
 * Approval requests in this instance's memory, for a single instance without Redis: the same semantics as
 * {@link RedisApprovalStore} ({@link ApprovalRules} applies the rules its scripts apply), but a request opened here can
 * be decided and redeemed only here.
 *
 * <h2>Threads</h2>
 * Each tenant's requests sit behind one lock, held for microseconds of pure CPU, so calling from an event loop is
 * fine. A {@code Uni} computes when subscribed, on the subscriber's thread.
 *
 * <h2>Expiry</h2>
 * A request is forgotten a day after its expiry by the wall clock, as Redis expires its keys (dropped when its
 * tenant is next used).
 */
public final class EmbeddedApprovalStore implements ApprovalStore {

    /** Pending order: creation time, then id, as Redis orders its sorted set. */
    private static final Comparator<Approval> OLDEST_FIRST = Comparator
            .comparingLong((Approval a) -> ApprovalRules.micros(a.createdAt())).thenComparing(Approval::id);

    private final ConcurrentMap<String, Tenant> tenants = new ConcurrentHashMap<>();
    private final Clock wall;

    public EmbeddedApprovalStore() {
        this(Clock.systemUTC());
    }

    /** @param wall the clock that forgets old requests and that {@link #get} reads expiry by */
    public EmbeddedApprovalStore(Clock wall) {
        this.wall = wall;
    }

    @Override
    public Uni<Opened> open(Approval request, String sameCall, int maxPending) {
        return Uni.createFrom().item(() -> {
            ApprovalRules.opening(request);
            Instant now = request.createdAt();
            return tenant(request.tenant()).locked(t -> {
                if (t.requests.containsKey(request.id())) {
                    throw new IllegalArgumentException("an approval request with this id exists");
                }
                Approval waiting = Optional.ofNullable(t.sameCall.get(sameCall)).map(t.pending::get)
                        .filter(a -> !ApprovalRules.expired(a, now)).orElse(null);
                if (waiting != null) {
                    return new Opened.Waiting(waiting.id(), waiting.expiresAt());
                }
                long open = t.pending.values().stream()
                        .filter(a -> a.agent().equals(request.agent()) && !ApprovalRules.expired(a, now)).count();
                if (open >= maxPending) {
                    return new Opened.TooMany((int) open);
                }
                t.open(ApprovalRules.copy(request));
                t.sameCall.put(sameCall, request.id());
                return new Opened.Created();
            });
        });
    }

    @Override
    public Uni<Optional<Approval>> get(String tenant, String id) {
        return Uni.createFrom().item(() -> tenant(tenant).locked(t -> Optional.ofNullable(t.live(id))
                .map(a -> ApprovalRules.copy(ApprovalRules.asOf(a, wall.instant())))));
    }

    @Override
    public Uni<List<Approval>> pending(String tenant, Optional<String> tool, Instant now) {
        return Uni.createFrom().item(() -> tenant(tenant).locked(t -> t.pending.values().stream()
                .filter(a -> !ApprovalRules.expired(a, now))
                .filter(a -> tool.isEmpty() || tool.get().equals(a.tool()))
                .sorted(OLDEST_FIRST)
                .map(ApprovalRules::copy)
                .toList()));
    }

    @Override
    public Uni<Decided> decide(String tenant, String id, Sign sign, Instant now) {
        return Uni.createFrom().item(() -> tenant(tenant).locked(t -> {
            Approval stored = t.live(id);
            if (stored == null) {
                return new Decided.Refused(Decided.Cause.NOT_FOUND);
            }
            Decided decided = ApprovalRules.decide(stored, sign, now);
            if (decided instanceof Decided.Recorded recorded) {
                t.store(ApprovalRules.copy(recorded.approval()));
            }
            return decided;
        }));
    }

    @Override
    public Uni<Redeemed> redeem(String tenant, String id, Redemption redemption, Instant now) {
        return Uni.createFrom().item(() -> tenant(tenant).locked(t -> {
            Approval stored = t.live(id);
            if (stored == null) {
                return new Redeemed.Invalid(Redeemed.Invalid.Cause.NOT_FOUND);
            }
            Redeemed redeemed = ApprovalRules.redeem(stored, Optional.ofNullable(t.redeemers.get(id)), redemption,
                    now);
            if (redeemed instanceof Redeemed.Ok ok) {
                // a repeat changes no state but takes the redemption over, as redeem.lua does
                t.store(ApprovalRules.copy(ok.approval()));
                t.redeemers.put(id, ApprovalRules.Redeemer.of(redemption));
                return new Redeemed.Ok(ApprovalRules.copy(ok.approval()), ok.repeat());
            }
            return redeemed;
        }));
    }

    @Override
    public Uni<Boolean> restore(String tenant, String id, String decisionId) {
        return Uni.createFrom().item(() -> tenant(tenant).locked(t -> {
            Approval stored = t.live(id);
            if (stored == null) {
                return false;
            }
            Optional<Approval> restored = ApprovalRules.restore(stored, Optional.ofNullable(t.redeemers.get(id)),
                    decisionId);
            restored.ifPresent(a -> {
                t.store(a);
                t.redeemers.remove(id);
            });
            return restored.isPresent();
        }));
    }

    @Override
    public Uni<List<Approval>> expire(String tenant, Instant now) {
        return Uni.createFrom().item(() -> tenant(tenant).locked(t -> {
            List<Approval> expired = new ArrayList<>();
            for (Approval a : List.copyOf(t.pending.values())) {
                if (ApprovalRules.expired(a, now)) {
                    Approval marked = ApprovalRules.with(a, State.EXPIRED, a.approvers(), a.rejectedBy());
                    t.store(marked);
                    expired.add(ApprovalRules.copy(marked));
                }
            }
            expired.sort(OLDEST_FIRST);
            return expired;
        }));
    }

    private Tenant tenant(String tenant) {
        if (tenant == null || tenant.isEmpty()) {
            throw new IllegalArgumentException("a tenant is a non-empty name");
        }
        return tenants.computeIfAbsent(tenant, name -> new Tenant());
    }

    /** One tenant's requests, behind one lock. */
    private final class Tenant {

        /** When a request is forgotten. */
        private record Forget(Instant at, String id) {
        }

        private final ReentrantLock lock = new ReentrantLock();
        private final Map<String, Approval> requests = new HashMap<>();
        private final Map<String, Approval> pending = new HashMap<>();
        /** The call a request was opened for → its id; a stale entry points at a request no longer pending. */
        private final Map<String, String> sameCall = new HashMap<>();
        /** Who redeemed each redeemed request (kept beside it, as Redis keeps fields beside the document). */
        private final Map<String, ApprovalRules.Redeemer> redeemers = new HashMap<>();
        private final PriorityQueue<Forget> forgetting = new PriorityQueue<>(Comparator.comparing(Forget::at));

        <T> T locked(Function<Tenant, T> work) {
            lock.lock();
            try {
                forget(wall.instant());
                return work.apply(this);
            } finally {
                lock.unlock();
            }
        }

        /** The request, unless it is unknown or forgotten. */
        Approval live(String id) {
            return ApprovalRules.validId(id) ? requests.get(id) : null;
        }

        void open(Approval a) {
            store(a);
            forgetting.add(new Forget(a.expiresAt().plus(ApprovalRules.RETENTION), a.id()));
        }

        void store(Approval a) {
            requests.put(a.id(), a);
            if (a.state() == State.PENDING) {
                pending.put(a.id(), a);
            } else {
                pending.remove(a.id());
            }
        }

        private void forget(Instant now) {
            while (!forgetting.isEmpty() && now.isAfter(forgetting.peek().at())) {
                String id = forgetting.poll().id();
                requests.remove(id);
                pending.remove(id);
                redeemers.remove(id);
                sameCall.values().remove(id);
            }
        }
    }
}
