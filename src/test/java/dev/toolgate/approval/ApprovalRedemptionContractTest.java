package dev.toolgate.approval;

import static dev.toolgate.approval.Requests.approve;
import static dev.toolgate.approval.Requests.await;
import static dev.toolgate.approval.Requests.redemption;
import static dev.toolgate.approval.Requests.reject;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.toolgate.approval.ApprovalStore.Approval;
import dev.toolgate.approval.ApprovalStore.Decided;
import dev.toolgate.approval.ApprovalStore.Redeemed;
import dev.toolgate.approval.ApprovalStore.Redemption;
import dev.toolgate.approval.ApprovalStore.State;
import dev.toolgate.call.ApprovalTier;
import dev.toolgate.call.IdempotencyScope;
import dev.toolgate.testing.Concurrently;

/**
 * What every {@link ApprovalStore} promises about redeeming: once, for the call the request was opened for; again, as
 * a repeat, for a retry with the same idempotency scope; and given back by the call that redeemed it. The store comes
 * from the subclasses of {@link ApprovalStoreContractTest}; each test uses a fresh tenant.
 */
abstract class ApprovalRedemptionContractTest {

    /** An idempotency scope as the approval stage computes it. */
    static final String SCOPE = IdempotencyScope.of("acme", Requests.AGENT, "payments", "refund-1");

    /** The store under test. */
    abstract ApprovalStore store();

    final Requests requests = new Requests();

    @Test
    void redeemsAnApprovedRequestOnceThenFindsItUsed() {
        // given
        Approval request = approved(requests.request("payments", ApprovalTier.REQUIRED, false));

        // when
        Redeemed first = await(store().redeem(requests.tenant, request.id(), redemption(), requests.now));
        Redeemed second = await(store().redeem(requests.tenant, request.id(), redemption(), requests.now));

        // then
        Approval redeemed = assertInstanceOf(Redeemed.Ok.class, first).approval();
        assertEquals(State.REDEEMED, redeemed.state());
        assertEquals(List.of("alice"), redeemed.approvers());
        assertEquals(new Redeemed.Invalid(Redeemed.Invalid.Cause.USED), second);
        assertEquals(Optional.of(redeemed), await(store().get(requests.tenant, request.id())));
    }

    @Test
    void ofFiftyRedemptionsRacingExactlyOnePasses() {
        // given
        Approval request = approved(requests.request("payments", ApprovalTier.REQUIRED, false));

        // when
        List<Redeemed> results = Concurrently.run(50,
                i -> store().redeem(requests.tenant, request.id(), redemption(), requests.now));

        // then
        assertEquals(1, results.stream().filter(Redeemed.Ok.class::isInstance).count());
        assertEquals(49, results.stream().filter(new Redeemed.Invalid(Redeemed.Invalid.Cause.USED)::equals).count());
    }

    @Test
    void redeemsNeitherAPendingNorARejectedRequest() {
        // given
        Approval pending = requests.request("payments", ApprovalTier.DUAL, false);
        Approval rejected = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store().open(pending));
        await(store().open(rejected));
        await(store().decide(requests.tenant, pending.id(), approve("alice"), requests.now));
        await(store().decide(requests.tenant, rejected.id(), reject("alice"), requests.now));

        // when
        Redeemed halfSigned = await(store().redeem(requests.tenant, pending.id(), redemption(), requests.now));
        Redeemed refused = await(store().redeem(requests.tenant, rejected.id(), redemption(), requests.now));

        // then
        assertEquals(new Redeemed.Invalid(Redeemed.Invalid.Cause.PENDING), halfSigned);
        assertEquals(new Redeemed.Invalid(Redeemed.Invalid.Cause.REJECTED), refused);
    }

    @Test
    void anApprovalPastItsExpiryCannotBeRedeemed() {
        // given: approved while it was open, redeemed after
        Approval request = requests.expired();
        await(store().open(request));
        assertInstanceOf(Decided.Recorded.class, await(store().decide(requests.tenant, request.id(),
                approve("alice"), request.createdAt().plusSeconds(1))));

        // when
        Redeemed late = await(store().redeem(requests.tenant, request.id(), redemption(), requests.now));

        // then
        assertEquals(new Redeemed.Invalid(Redeemed.Invalid.Cause.EXPIRED), late);
        assertEquals(State.EXPIRED, await(store().get(requests.tenant, request.id())).orElseThrow().state());
    }

    @Test
    void redeemsOnlyForTheAgentRunAndPayloadItWasOpenedFor() {
        // given
        Approval request = approved(requests.request("payments", ApprovalTier.REQUIRED, false));
        String oneCharacterOff = "8" + Requests.PAYLOAD.substring(1);

        // when
        Redeemed otherAgent = await(store().redeem(requests.tenant, request.id(),
                new Redemption("deploy-bot", Requests.RUN, Requests.PAYLOAD, "d-" + UUID.randomUUID(), Optional.empty()),
                requests.now));
        Redeemed otherRun = await(store().redeem(requests.tenant, request.id(),
                new Redemption(Requests.AGENT, "run-2", Requests.PAYLOAD, "d-" + UUID.randomUUID(), Optional.empty()),
                requests.now));
        Redeemed otherPayload = await(store().redeem(requests.tenant, request.id(),
                new Redemption(Requests.AGENT, Requests.RUN, oneCharacterOff, "d-" + UUID.randomUUID(), Optional.empty()),
                requests.now));
        Redeemed right = await(store().redeem(requests.tenant, request.id(), redemption(), requests.now));

        // then
        assertEquals(new Redeemed.Invalid(Redeemed.Invalid.Cause.OTHER_PRINCIPAL), otherAgent);
        assertEquals(new Redeemed.Invalid(Redeemed.Invalid.Cause.OTHER_RUN), otherRun);
        assertEquals(new Redeemed.Invalid(Redeemed.Invalid.Cause.PAYLOAD_CHANGED), otherPayload);
        assertInstanceOf(Redeemed.Ok.class, right, "the refused attempts consumed nothing");
    }

    @Test
    void anotherTenantCannotRedeemARequest() {
        // given
        Approval request = approved(requests.request("payments", ApprovalTier.REQUIRED, false));

        // when
        Redeemed intruder = await(store().redeem(new Requests().tenant, request.id(), redemption(), requests.now));

        // then
        assertEquals(new Redeemed.Invalid(Redeemed.Invalid.Cause.NOT_FOUND), intruder);
        assertEquals(State.APPROVED, await(store().get(requests.tenant, request.id())).orElseThrow().state());
    }

    @Test
    void aRestoreByTheRedeemingCallApprovesItAgain() {
        // given
        Approval request = approved(requests.request("payments", ApprovalTier.REQUIRED, false));
        Redemption call = redemption();
        assertEquals(new Redeemed.Ok(redeemed(request), false),
                await(store().redeem(requests.tenant, request.id(), call, requests.now)));

        // when
        boolean restored = await(store().restore(requests.tenant, request.id(), call.decisionId()));

        // then
        assertTrue(restored);
        assertEquals(Optional.of(request), await(store().get(requests.tenant, request.id())));
        assertEquals(new Redeemed.Ok(redeemed(request), false),
                await(store().redeem(requests.tenant, request.id(), redemption(), requests.now)),
                "redeemable again, by the next call");
        assertFalse(await(store().restore(requests.tenant, request.id(), call.decisionId())),
                "the first call's restore is spent: the next call redeemed it");
    }

    @Test
    void aRestoreByAnotherCallChangesNothing() {
        // given
        Approval request = approved(requests.request("payments", ApprovalTier.REQUIRED, false));
        Redemption call = redemption(Optional.of(SCOPE));
        await(store().redeem(requests.tenant, request.id(), call, requests.now));

        // when
        boolean restored = await(store().restore(requests.tenant, request.id(), "d-another"));
        boolean intruder = await(store().restore(new Requests().tenant, request.id(), call.decisionId()));

        // then
        assertFalse(restored);
        assertFalse(intruder);
        assertEquals(State.REDEEMED, await(store().get(requests.tenant, request.id())).orElseThrow().state());
        assertEquals(new Redeemed.Invalid(Redeemed.Invalid.Cause.USED),
                await(store().redeem(requests.tenant, request.id(), redemption(), requests.now)));
    }

    @Test
    void aRestoreOfARequestThatIsNotRedeemedChangesNothing() {
        // given: one request in every other state
        Approval pending = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store().open(pending));
        Approval approved = approved(requests.request("payments", ApprovalTier.REQUIRED, false));
        Approval rejected = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store().open(rejected));
        await(store().decide(requests.tenant, rejected.id(), reject("alice"), requests.now));
        Approval expired = requests.expired();
        await(store().open(expired));
        List<Approval> before = List.of(pending, approved, await(store().get(requests.tenant, rejected.id()))
                .orElseThrow(), await(store().get(requests.tenant, expired.id())).orElseThrow());

        // when
        List<Boolean> restored = before.stream()
                .map(a -> await(store().restore(requests.tenant, a.id(), "d-any"))).toList();
        boolean unknown = await(store().restore(requests.tenant, "no-such-id", "d-any"));
        boolean malformed = await(store().restore(requests.tenant, "with space", "d-any"));

        // then
        assertEquals(List.of(false, false, false, false), restored);
        assertFalse(unknown);
        assertFalse(malformed);
        for (Approval a : before) {
            assertEquals(Optional.of(a), await(store().get(requests.tenant, a.id())), a.state().code());
        }
    }

    @Test
    void aRetryWithTheRedemptionsIdempotencyScopeIsARepeatThatConsumesNothing() {
        // given
        Approval request = approved(requests.request("payments", ApprovalTier.REQUIRED, false));
        await(store().redeem(requests.tenant, request.id(), redemption(Optional.of(SCOPE)), requests.now));

        // when
        Redeemed repeat = await(store().redeem(requests.tenant, request.id(), redemption(Optional.of(SCOPE)),
                requests.now));
        Redeemed again = await(store().redeem(requests.tenant, request.id(), redemption(Optional.of(SCOPE)),
                request.expiresAt()));

        // then
        assertEquals(new Redeemed.Ok(redeemed(request), true), repeat);
        assertEquals(new Redeemed.Ok(redeemed(request), true), again, "up to the expiry");
        assertEquals(Optional.of(redeemed(request)), await(store().get(requests.tenant, request.id())));
    }

    @Test
    void aRetryWithoutAnIdempotencyScopeOrWithAnotherFindsItUsed() {
        // given: one redeemed with a scope, one redeemed without
        Approval scoped = approved(requests.request("payments", ApprovalTier.REQUIRED, false));
        Approval unscoped = approved(requests.request("payments", ApprovalTier.REQUIRED, false));
        await(store().redeem(requests.tenant, scoped.id(), redemption(Optional.of(SCOPE)), requests.now));
        await(store().redeem(requests.tenant, unscoped.id(), redemption(), requests.now));

        // when
        Redeemed withoutScope = await(store().redeem(requests.tenant, scoped.id(), redemption(), requests.now));
        Redeemed otherScope = await(store().redeem(requests.tenant, scoped.id(),
                redemption(Optional.of(SCOPE + "-other")), requests.now));
        Redeemed neither = await(store().redeem(requests.tenant, unscoped.id(), redemption(), requests.now));
        Redeemed addedScope = await(store().redeem(requests.tenant, unscoped.id(), redemption(Optional.of(SCOPE)),
                requests.now));

        // then
        Redeemed used = new Redeemed.Invalid(Redeemed.Invalid.Cause.USED);
        assertEquals(List.of(used, used, used, used), List.of(withoutScope, otherScope, neither, addedScope));
        assertEquals(State.REDEEMED, await(store().get(requests.tenant, scoped.id())).orElseThrow().state());
    }

    @Test
    void aRepeatAfterTheExpiryIsExpired() {
        // given
        Approval request = approved(requests.request("payments", ApprovalTier.REQUIRED, false));
        await(store().redeem(requests.tenant, request.id(), redemption(Optional.of(SCOPE)), requests.now));

        // when
        Redeemed late = await(store().redeem(requests.tenant, request.id(), redemption(Optional.of(SCOPE)),
                request.expiresAt().plusNanos(1_000)));

        // then
        assertEquals(new Redeemed.Invalid(Redeemed.Invalid.Cause.EXPIRED), late);
        assertEquals(State.REDEEMED, await(store().get(requests.tenant, request.id())).orElseThrow().state());
    }

    @Test
    void aRepeatTakesTheRedemptionOverSoThatTheFirstCallCannotGiveItBack() {
        // given: the first call redeemed it; its retry is let through as a repeat (and may now be the one forwarded)
        Approval request = approved(requests.request("payments", ApprovalTier.REQUIRED, false));
        Redemption first = redemption(Optional.of(SCOPE));
        Redemption retry = redemption(Optional.of(SCOPE));
        await(store().redeem(requests.tenant, request.id(), first, requests.now));
        assertEquals(new Redeemed.Ok(redeemed(request), true),
                await(store().redeem(requests.tenant, request.id(), retry, requests.now)));

        // when
        boolean byFirst = await(store().restore(requests.tenant, request.id(), first.decisionId()));

        // then
        assertFalse(byFirst);
        assertEquals(State.REDEEMED, await(store().get(requests.tenant, request.id())).orElseThrow().state());
        assertTrue(await(store().restore(requests.tenant, request.id(), retry.decisionId())));
        assertEquals(State.APPROVED, await(store().get(requests.tenant, request.id())).orElseThrow().state());
    }

    /** {@code approved} as it reads once redeemed. */
    static Approval redeemed(Approval approved) {
        return ApprovalRules.with(approved, State.REDEEMED, approved.approvers(), approved.rejectedBy());
    }

    /** Opens {@code request} and has alice sign it off. */
    Approval approved(Approval request) {
        await(store().open(request));
        Decided decided = await(store().decide(requests.tenant, request.id(), approve("alice"), requests.now));
        return assertInstanceOf(Decided.Recorded.class, decided).approval();
    }
}
