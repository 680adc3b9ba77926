package dev.toolgate.approval;

import static dev.toolgate.approval.Requests.approve;
import static dev.toolgate.approval.Requests.await;
import static dev.toolgate.approval.Requests.reject;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.toolgate.approval.ApprovalStore.Approval;
import dev.toolgate.approval.ApprovalStore.Decided;
import dev.toolgate.approval.ApprovalStore.Decided.Cause;
import dev.toolgate.approval.ApprovalStore.Opened;
import dev.toolgate.approval.ApprovalStore.State;
import dev.toolgate.call.ApprovalTier;
import dev.toolgate.testing.Concurrently;

/**
 * What every {@link ApprovalStore} promises, whatever holds the requests: opening, reading, listing, deciding and
 * expiring here, redeeming and restoring in {@link ApprovalRedemptionContractTest}. Subclasses supply the store; each
 * test uses a fresh tenant, so tests share no state.
 */
abstract class ApprovalStoreContractTest extends ApprovalRedemptionContractTest {

    @Test
    void readsBackWhatItOpened() {
        // given
        Approval request = requests.request("payments", ApprovalTier.DUAL, true);

        // when
        await(store().open(request));
        Optional<Approval> read = await(store().get(requests.tenant, request.id()));

        // then
        assertEquals(Optional.of(request), read, "every field, the preview node for node, the instants to the nano");
        assertEquals(Requests.preview(), read.get().preview());
    }

    @Test
    void refusesToOpenAnIdTwice() {
        // given
        Approval request = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store().open(request));

        // when / then
        assertThrows(IllegalArgumentException.class, () -> await(store().open(request)));
        assertEquals(State.PENDING, await(store().get(requests.tenant, request.id())).orElseThrow().state());
    }

    @Test
    void theSameCallWaitingGetsItsRequestAgainUntilItIsDecided() {
        // given
        Approval first = requests.request("payments", ApprovalTier.REQUIRED, false);
        Approval retry = requests.request("payments", ApprovalTier.REQUIRED, false);
        Approval afterDecision = requests.request("payments", ApprovalTier.REQUIRED, false);

        // when
        Opened opened = await(store().open(first, "call-1", 20));
        Opened again = await(store().open(retry, "call-1", 20));
        Opened otherCall = await(store().open(requests.request("payments", ApprovalTier.REQUIRED, false), "call-2", 20));
        await(store().decide(requests.tenant, first.id(), reject("approver-bot"), requests.now));
        Opened afterRejection = await(store().open(afterDecision, "call-1", 20));

        // then
        assertInstanceOf(Opened.Created.class, opened);
        assertEquals(new Opened.Waiting(first.id(), first.expiresAt()), again, "the waiting request, nothing new");
        assertEquals(Optional.empty(), await(store().get(requests.tenant, retry.id())));
        assertInstanceOf(Opened.Created.class, otherCall);
        assertInstanceOf(Opened.Created.class, afterRejection, "a decided request no longer waits");
    }

    @Test
    void anAgentHasAtMostMaxPendingRequestsWaiting() {
        // given: two waiting, one decided, one expired
        await(store().open(requests.request("payments", ApprovalTier.REQUIRED, false), "a", 3));
        await(store().open(requests.request("payments", ApprovalTier.REQUIRED, false), "b", 3));
        Approval decided = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store().open(decided, "c", 3));
        await(store().decide(requests.tenant, decided.id(), approve("approver-bot"), requests.now));
        await(store().open(requests.expired(), "d", 3));

        // when
        Opened third = await(store().open(requests.request("payments", ApprovalTier.REQUIRED, false), "e", 3));
        Opened fourth = await(store().open(requests.request("payments", ApprovalTier.REQUIRED, false), "f", 3));
        Opened repeat = await(store().open(requests.request("payments", ApprovalTier.REQUIRED, false), "a", 3));

        // then
        assertInstanceOf(Opened.Created.class, third, "decided and expired requests do not count");
        assertEquals(new Opened.TooMany(3), fourth);
        assertInstanceOf(Opened.Waiting.class, repeat, "a call waiting already is answered, bound or not");
        assertEquals(3, await(store().pending(requests.tenant, Optional.empty(), requests.now)).size());
    }

    @Test
    void listsPendingUnexpiredRequestsOfTheTenantOldestFirstAndByTool() {
        // given: opened out of order, plus one expired, one decided, one of another tool, one of another tenant
        Approval second = requests.request("payments", ApprovalTier.REQUIRED, false, requests.now.plusMillis(2),
                requests.now.plus(Duration.ofHours(1)));
        Approval first = requests.request("payments", ApprovalTier.REQUIRED, false, requests.now.plusMillis(1),
                requests.now.plus(Duration.ofHours(1)));
        Approval deploy = requests.request("deploy", ApprovalTier.DUAL, false, requests.now.plusMillis(3),
                requests.now.plus(Duration.ofHours(1)));
        Approval decided = requests.request("payments", ApprovalTier.REQUIRED, false);
        Approval expired = requests.expired();
        Requests other = new Requests();
        for (Approval a : List.of(second, first, deploy, decided, expired, other.request("payments",
                ApprovalTier.REQUIRED, false))) {
            await(store().open(a));
        }
        await(store().decide(requests.tenant, decided.id(), approve("alice"), requests.now));

        // when
        List<Approval> all = await(store().pending(requests.tenant, Optional.empty(), requests.now));
        List<Approval> payments = await(store().pending(requests.tenant, Optional.of("payments"), requests.now));
        List<Approval> none = await(store().pending(requests.tenant, Optional.of("nope"), requests.now));

        // then
        assertEquals(List.of(first.id(), second.id(), deploy.id()), all.stream().map(Approval::id).toList());
        assertEquals(List.of(first, second), payments);
        assertEquals(List.of(), none);
    }

    @Test
    void approvesARequiredRequestWithOneSignOff() {
        // given
        Approval request = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store().open(request));

        // when
        Decided decided = await(store().decide(requests.tenant, request.id(), approve("alice"), requests.now));

        // then
        Approval approved = assertInstanceOf(Decided.Recorded.class, decided).approval();
        assertEquals(State.APPROVED, approved.state());
        assertEquals(List.of("alice"), approved.approvers());
        assertEquals(Optional.of(approved), await(store().get(requests.tenant, request.id())));
        assertEquals(List.of(), await(store().pending(requests.tenant, Optional.empty(), requests.now)));
    }

    @Test
    void refusesSelfApproval() {
        // given
        Approval request = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store().open(request));

        // when
        Decided decided = await(store().decide(requests.tenant, request.id(), approve(Requests.AGENT), requests.now));

        // then
        assertEquals(new Decided.Refused(Cause.SELF_APPROVAL), decided);
        assertEquals(State.PENDING, await(store().get(requests.tenant, request.id())).orElseThrow().state());
    }

    @Test
    void dualNeedsTwoDistinctApprovers() {
        // given
        Approval request = requests.request("payments", ApprovalTier.DUAL, false);
        await(store().open(request));

        // when
        Decided first = await(store().decide(requests.tenant, request.id(), approve("alice"), requests.now));
        Decided again = await(store().decide(requests.tenant, request.id(), approve("alice"), requests.now));
        Decided second = await(store().decide(requests.tenant, request.id(), approve("bob"), requests.now));

        // then
        Approval afterFirst = assertInstanceOf(Decided.Recorded.class, first).approval();
        assertEquals(State.PENDING, afterFirst.state());
        assertEquals(List.of("alice"), afterFirst.approvers());
        assertEquals(new Decided.Refused(Cause.SAME_APPROVER), again);
        Approval afterSecond = assertInstanceOf(Decided.Recorded.class, second).approval();
        assertEquals(State.APPROVED, afterSecond.state());
        assertEquals(List.of("alice", "bob"), afterSecond.approvers());
    }

    @Test
    void oneApproverSigningADualRequestManyTimesAtOnceCountsOnce() {
        // given
        Approval request = requests.request("payments", ApprovalTier.DUAL, false);
        await(store().open(request));

        // when
        List<Decided> decided = Concurrently.run(20,
                i -> store().decide(requests.tenant, request.id(), approve("alice"), requests.now));

        // then
        assertEquals(1, decided.stream().filter(Decided.Recorded.class::isInstance).count());
        assertEquals(19, decided.stream().filter(new Decided.Refused(Cause.SAME_APPROVER)::equals).count());
        Approval stored = await(store().get(requests.tenant, request.id())).orElseThrow();
        assertEquals(State.PENDING, stored.state());
        assertEquals(List.of("alice"), stored.approvers());
    }

    @Test
    void irreversibleNeedsTheReviewedPayloadHash() {
        // given
        Approval request = requests.request("payments", ApprovalTier.REQUIRED, true);
        await(store().open(request));
        String oneCharacterOff = Requests.PAYLOAD.substring(0, 63) + "9";

        // when
        Decided without = await(store().decide(requests.tenant, request.id(), approve("alice"), requests.now));
        Decided wrong = await(store().decide(requests.tenant, request.id(), approve("alice", oneCharacterOff),
                requests.now));
        Decided right = await(store().decide(requests.tenant, request.id(), approve("alice", Requests.PAYLOAD),
                requests.now));

        // then
        assertEquals(new Decided.Refused(Cause.PAYLOAD_HASH_REQUIRED), without);
        assertEquals(new Decided.Refused(Cause.PAYLOAD_HASH_MISMATCH), wrong);
        assertEquals(State.APPROVED, assertInstanceOf(Decided.Recorded.class, right).approval().state());
    }

    @Test
    void aRejectedRequestCannotBeApproved() {
        // given
        Approval request = requests.request("payments", ApprovalTier.DUAL, true);
        await(store().open(request));

        // when: rejecting needs no payload hash, even for an irreversible call
        Decided rejected = await(store().decide(requests.tenant, request.id(), reject("alice"), requests.now));
        Decided approved = await(store().decide(requests.tenant, request.id(), approve("bob", Requests.PAYLOAD),
                requests.now));

        // then
        Approval after = assertInstanceOf(Decided.Recorded.class, rejected).approval();
        assertEquals(State.REJECTED, after.state());
        assertEquals(Optional.of("alice"), after.rejectedBy());
        assertEquals(new Decided.Refused(Cause.NOT_PENDING), approved);
        assertEquals(Optional.of(after), await(store().get(requests.tenant, request.id())));
    }

    @Test
    void anExpiredRequestReadsAsExpiredAndCannotBeDecided() {
        // given
        Approval request = requests.expired();
        await(store().open(request));

        // when
        Decided decided = await(store().decide(requests.tenant, request.id(), approve("alice"), requests.now));

        // then
        assertEquals(new Decided.Refused(Cause.EXPIRED), decided);
        assertEquals(State.EXPIRED, await(store().get(requests.tenant, request.id())).orElseThrow().state());
    }

    @Test
    void aRequestIsDecidableUpToItsExpiryAndNotAMicrosecondAfter() {
        // given
        Approval request = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store().open(request));

        // when
        Decided late = await(store().decide(requests.tenant, request.id(), approve("alice"),
                request.expiresAt().plusNanos(1_000)));
        Decided onTime = await(store().decide(requests.tenant, request.id(), approve("alice"), request.expiresAt()));

        // then
        assertEquals(new Decided.Refused(Cause.EXPIRED), late);
        assertEquals(State.APPROVED, assertInstanceOf(Decided.Recorded.class, onTime).approval().state());
    }

    @Test
    void expireAnswersEachExpiredRequestOnce() {
        // given
        Approval expired = requests.expired();
        Approval live = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store().open(expired));
        await(store().open(live));

        // when
        List<Approval> firstSweep = await(store().expire(requests.tenant, requests.now));
        List<Approval> secondSweep = await(store().expire(requests.tenant, requests.now));

        // then
        assertEquals(List.of(expired.id()), firstSweep.stream().map(Approval::id).toList());
        assertEquals(State.EXPIRED, firstSweep.get(0).state());
        assertEquals(List.of(), secondSweep);
        assertEquals(State.EXPIRED, await(store().get(requests.tenant, expired.id())).orElseThrow().state());
        assertEquals(List.of(live), await(store().pending(requests.tenant, Optional.empty(), requests.now)));
        assertEquals(new Decided.Refused(Cause.EXPIRED),
                await(store().decide(requests.tenant, expired.id(), approve("alice"), expired.createdAt())),
                "once marked expired, not even a caller with an earlier clock can decide it");
    }

    @Test
    void anotherTenantCannotSeeOrDecideARequest() {
        // given
        Approval request = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store().open(request));
        String intruder = new Requests().tenant;

        // when
        Optional<Approval> seen = await(store().get(intruder, request.id()));
        Decided decided = await(store().decide(intruder, request.id(), approve("mallory"), requests.now));
        List<Approval> listed = await(store().pending(intruder, Optional.empty(), requests.now));
        List<Approval> expired = await(store().expire(intruder, requests.now.plus(Duration.ofDays(1))));

        // then
        assertEquals(Optional.empty(), seen);
        assertEquals(new Decided.Refused(Cause.NOT_FOUND), decided);
        assertEquals(List.of(), listed);
        assertEquals(List.of(), expired);
        assertEquals(Optional.of(request), await(store().get(requests.tenant, request.id())));
    }

    @Test
    void unknownAndMalformedIdsAreNotFound() {
        // when / then
        assertEquals(Optional.empty(), await(store().get(requests.tenant, "no-such-id")));
        assertEquals(Optional.empty(), await(store().get(requests.tenant, "")));
        assertEquals(new Decided.Refused(Cause.NOT_FOUND),
                await(store().decide(requests.tenant, "with space", approve("alice"), requests.now)));
    }

}
