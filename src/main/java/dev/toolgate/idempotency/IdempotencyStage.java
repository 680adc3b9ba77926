package dev.toolgate.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.AfterCall;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.Stage;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.Stages;
import dev.toolgate.pipeline.StoredReply;
import io.smallrye.mutiny.Uni;

/**
 * {@code Idempotency-Key}: a key is scoped to (tenant, principal, tool). The first call with a key owns it; after the
 * tool answered, its reply is kept for {@code toolgate.idempotency.ttl}. A repeat with the same payload is answered
 * with that reply without forwarding; a repeat while the first is in flight is 409 {@code idempotency_conflict}; a
 * repeat with another payload is 422 {@code idempotency_conflict}. A call that is never forwarded frees its key; a call
 * whose tool failed keeps it in flight until {@code in-flight-lease} (the tool may have acted). The store failing is a
 * fault: the call fails closed.
 */
@ApplicationScoped
public class IdempotencyStage implements Stage {

    /** Printable ASCII, as the IETF Idempotency-Key draft's examples, bounded. */
    private static final String KEY = "[\\x21-\\x7E]{1,255}";

    private final IdempotencyStore store;
    private final ToolgateConfig.Idempotency config;
    private final Clock clock;

    @Inject
    IdempotencyStage(IdempotencyStore store, ToolgateConfig config) {
        this(store, config.idempotency(), Clock.systemUTC());
    }

    IdempotencyStage(IdempotencyStore store, ToolgateConfig.Idempotency config, Clock clock) {
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public int position() {
        return Stages.IDEMPOTENCY;
    }

    @Override
    public String name() {
        return "idempotency";
    }

    @Override
    public Uni<StageResult> apply(ToolCall call, CallContext ctx) {
        Optional<String> key = call.idempotencyKey();
        ResolvedAction resolved = call.action().orElseThrow();
        if (key.isEmpty() && resolved.action().idempotencyKey() == ActionSpec.IdempotencyKey.REQUIRED) {
            return Uni.createFrom().item(StageResult.deny(Denial.of(Reason.INVALID_ARGUMENTS,
                    "action " + resolved.action().name() + " needs an Idempotency-Key")));
        }
        if (key.isEmpty() || call.mode() == Mode.DRY_RUN) {
            return Uni.createFrom().item(StageResult.next(call));
        }
        if (!key.get().matches(KEY)) {
            return Uni.createFrom().item(StageResult.deny(Denial.of(Reason.INVALID_ARGUMENTS,
                    "Idempotency-Key must be 1 to 255 printable ASCII characters")));
        }
        Principal who = call.principal().orElseThrow();
        String tenant = who.tenant();
        String recordKey = IdempotencyKeys.record(tenant, who.agent(), resolved.tool().name(), key.get());
        return store.begin(tenant, recordKey, resolved.payloadSha256(), call.id(), config.inFlightLease(), clock.instant())
                .chain(begun -> begun instanceof IdempotencyStore.Begun.Started
                        && call.approvalUse() == ToolCall.ApprovalUse.REPEAT
                                // the approval was consumed by the first call, whose record is gone: running this one
                                // would be a second execution of one approval
                                ? store.abandon(tenant, recordKey, call.id()).replaceWith(StageResult.deny(Denial.of(
                                        Reason.APPROVAL_INVALID, "the approval was already used, and the answer of"
                                                + " the call that used it is no longer kept")
                                        .with("cause", "used")))
                                : Uni.createFrom().item(decided(call, begun, tenant, recordKey)));
    }

    private StageResult decided(ToolCall call, IdempotencyStore.Begun begun, String tenant, String recordKey) {
        return switch (begun) {
            case IdempotencyStore.Begun.Started s -> new StageResult.Continue(call,
                    Optional.of(new Keeper(store, tenant, recordKey, call.id(), config.ttl())));
            case IdempotencyStore.Begun.Replay r -> new StageResult.Replay(call, r.reply(), r.originalDecisionId());
            case IdempotencyStore.Begun.InFlight f -> StageResult.deny(Denial.of(Reason.IDEMPOTENCY_CONFLICT,
                    "the first call with this Idempotency-Key is still in flight")
                    .with("conflict", "in_flight").with("original_decision_id", f.originalDecisionId()));
            case IdempotencyStore.Begun.PayloadMismatch m -> StageResult.deny(Denial.of(
                    Reason.IDEMPOTENCY_CONFLICT, "this Idempotency-Key was used with another payload")
                    .with("conflict", "payload_mismatch").with("original_decision_id", m.originalDecisionId()));
        };
    }

    /** Keeps the first call's reply, or frees the key when the call never ran. */
    private record Keeper(IdempotencyStore store, String tenant, String key, String owner, Duration ttl)
            implements
                AfterCall {

        @Override
        public Uni<Void> forwarded(ToolCall call, OptionalLong cost, Optional<StoredReply> reply) {
            // no reply (the tool failed, or its answer is too large to keep): the key stays in flight until its lease
            return reply.map(r -> store.complete(tenant, key, owner, r, ttl)).orElse(Uni.createFrom().voidItem());
        }

        @Override
        public Uni<Void> abandoned(ToolCall call) {
            return store.abandon(tenant, key, owner);
        }

        /** A check: its answer is kept now, so that a repeated check gets the same decision and reserves nothing. */
        @Override
        public Uni<Void> handed(ToolCall call, Optional<StoredReply> reply) {
            return reply.map(r -> store.complete(tenant, key, owner, r, ttl)).orElse(Uni.createFrom().voidItem());
        }
    }
}
