package dev.toolgate.approval;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.toolgate.approval.ApprovalStore.Approval;
import dev.toolgate.approval.ApprovalStore.Decided;
import dev.toolgate.approval.ApprovalStore.Redeemed;
import dev.toolgate.approval.ApprovalStore.Redemption;
import dev.toolgate.approval.ApprovalStore.Sign;
import dev.toolgate.approval.ApprovalStore.State;

/**
 * The rules of deciding, redeeming and restoring, as the embedded store applies them under its lock;
 * {@code decide.lua}, {@code redeem.lua} and {@code restore.lua} are the same rules in Redis, step for step (read them
 * side by side). Time is compared in whole microseconds, as the scripts do.
 */
final class ApprovalRules {

    /** How long a request stays readable after its expiry, so that a decision or a redemption can be looked up. */
    static final Duration RETENTION = Duration.ofDays(1);

    /** Approval ids as the stores accept them: printable ASCII without spaces, bounded. */
    private static final Pattern ID = Pattern.compile("[\\x21-\\x7E]{1,128}");

    private ApprovalRules() {
    }

    /** Whether {@code id} can name a request; a request is never found under any other id. */
    static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    /** A pending or approved request past its expiry can be neither approved nor redeemed: it reads as expired. */
    static boolean expired(Approval a, Instant now) {
        return (a.state() == State.PENDING || a.state() == State.APPROVED) && micros(now) > micros(a.expiresAt());
    }

    /** The request as it reads at {@code now}. */
    static Approval asOf(Approval a, Instant now) {
        return expired(a, now) ? with(a, State.EXPIRED, a.approvers(), a.rejectedBy()) : a;
    }

    /** What {@code sign} does to {@code a} (the request as stored). */
    static Decided decide(Approval a, Sign sign, Instant now) {
        Approval current = asOf(a, now);
        if (current.state() == State.EXPIRED) {
            return new Decided.Refused(Decided.Cause.EXPIRED);
        }
        if (current.state() != State.PENDING) {
            return new Decided.Refused(Decided.Cause.NOT_PENDING);
        }
        if (sign.approver().equals(a.agent())) {
            return new Decided.Refused(Decided.Cause.SELF_APPROVAL);
        }
        if (a.approvers().contains(sign.approver())) {
            return new Decided.Refused(Decided.Cause.SAME_APPROVER);
        }
        if (!sign.approve()) {
            return new Decided.Recorded(with(a, State.REJECTED, a.approvers(), Optional.of(sign.approver())));
        }
        if (a.irreversible()) {
            if (sign.reviewedPayloadSha256().isEmpty()) {
                return new Decided.Refused(Decided.Cause.PAYLOAD_HASH_REQUIRED);
            }
            if (!sign.reviewedPayloadSha256().get().equals(a.payloadSha256())) {
                return new Decided.Refused(Decided.Cause.PAYLOAD_HASH_MISMATCH);
            }
        }
        List<String> approvers = new ArrayList<>(a.approvers());
        approvers.add(sign.approver());
        State state = approvers.size() >= a.signOffsNeeded() ? State.APPROVED : State.PENDING;
        return new Decided.Recorded(with(a, state, approvers, Optional.empty()));
    }

    /**
     * Who redeemed a request: the call's decision id and its idempotency scope (empty: it had no key). In Redis, the
     * hash fields {@code redeemed_by} and {@code redeemed_scope}.
     */
    record Redeemer(String decisionId, Optional<String> idempotencyScope) {

        static Redeemer of(Redemption redemption) {
            return new Redeemer(redemption.decisionId(), redemption.idempotencyScope());
        }
    }

    /**
     * What redeeming {@code a} (as stored, redeemed by {@code redeemer} if it is redeemed) for {@code redemption} does.
     * The binding is checked before the state, so that a call for another agent, run or payload learns only that,
     * whatever the request's state. A redeemed request answers a repeat to a call with the redemption's own,
     * non-empty idempotency scope until its expiry; the store then records that call as the redeemer.
     */
    static Redeemed redeem(Approval a, Optional<Redeemer> redeemer, Redemption redemption, Instant now) {
        if (!redemption.agent().equals(a.agent())) {
            return new Redeemed.Invalid(Redeemed.Invalid.Cause.OTHER_PRINCIPAL);
        }
        if (!redemption.runId().equals(a.runId())) {
            return new Redeemed.Invalid(Redeemed.Invalid.Cause.OTHER_RUN);
        }
        if (!redemption.payloadSha256().equals(a.payloadSha256())) {
            return new Redeemed.Invalid(Redeemed.Invalid.Cause.PAYLOAD_CHANGED);
        }
        return switch (asOf(a, now).state()) {
            case APPROVED -> new Redeemed.Ok(with(a, State.REDEEMED, a.approvers(), a.rejectedBy()), false);
            case REDEEMED -> {
                if (!sameScope(redeemer, redemption)) {
                    yield new Redeemed.Invalid(Redeemed.Invalid.Cause.USED);
                }
                yield micros(now) > micros(a.expiresAt()) ? new Redeemed.Invalid(Redeemed.Invalid.Cause.EXPIRED)
                        : new Redeemed.Ok(a, true);
            }
            case REJECTED -> new Redeemed.Invalid(Redeemed.Invalid.Cause.REJECTED);
            case EXPIRED -> new Redeemed.Invalid(Redeemed.Invalid.Cause.EXPIRED);
            case PENDING -> new Redeemed.Invalid(Redeemed.Invalid.Cause.PENDING);
        };
    }

    /** Whether the call carries the redemption's idempotency scope; no scope never matches. */
    private static boolean sameScope(Optional<Redeemer> redeemer, Redemption redemption) {
        return redeemer.isPresent() && redeemer.get().idempotencyScope().isPresent()
                && redeemer.get().idempotencyScope().equals(redemption.idempotencyScope());
    }

    /**
     * What giving {@code a} (as stored, redeemed by {@code redeemer}) back for the call {@code decisionId} does: the
     * request approved again when that call redeemed it, else empty (nothing changes).
     */
    static Optional<Approval> restore(Approval a, Optional<Redeemer> redeemer, String decisionId) {
        if (a.state() != State.REDEEMED || redeemer.isEmpty() || !redeemer.get().decisionId().equals(decisionId)) {
            return Optional.empty();
        }
        return Optional.of(with(a, State.APPROVED, a.approvers(), a.rejectedBy()));
    }

    /** Checks a request that is being opened. */
    static void opening(Approval request) {
        if (!validId(request.id())) {
            throw new IllegalArgumentException("an approval id is 1 to 128 printable ASCII characters");
        }
        if (request.state() != State.PENDING || !request.approvers().isEmpty() || request.rejectedBy().isPresent()) {
            throw new IllegalArgumentException("a request opens pending, without sign-offs");
        }
        if (!request.expiresAt().isAfter(request.createdAt())) {
            throw new IllegalArgumentException("a request expires after it was opened");
        }
    }

    /** A copy that shares no mutable node (the preview) with {@code a}. */
    static Approval copy(Approval a) {
        return with(a, a.state(), a.approvers(), a.rejectedBy());
    }

    static Approval with(Approval a, State state, List<String> approvers, Optional<String> rejectedBy) {
        return new Approval(a.id(), a.tenant(), a.agent(), a.runId(), a.tool(), a.action(), a.payloadSha256(),
                a.preview(), a.reasons(), a.tier(), a.irreversible(), a.createdAt(), a.expiresAt(), state, approvers,
                rejectedBy);
    }
}
