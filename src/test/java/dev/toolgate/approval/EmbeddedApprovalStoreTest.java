package dev.toolgate.approval;

import static dev.toolgate.approval.Requests.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.toolgate.approval.ApprovalStore.Approval;
import dev.toolgate.approval.ApprovalStore.State;
import dev.toolgate.call.ApprovalTier;
import dev.toolgate.testing.TestClock;

/** The contract on the embedded store, plus when it forgets a request. */
class EmbeddedApprovalStoreTest extends ApprovalStoreContractTest {

    private final EmbeddedApprovalStore store = new EmbeddedApprovalStore();

    @Override
    ApprovalStore store() {
        return store;
    }

    @Test
    void keepsARequestReadableForADayAfterItsExpiryThenForgetsIt() {
        // given
        TestClock wall = new TestClock(requests.now);
        EmbeddedApprovalStore store = new EmbeddedApprovalStore(wall);
        Approval request = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store.open(request));

        // when
        wall.advance(Duration.ofHours(1).plus(Duration.ofDays(1)));
        Optional<Approval> lastMoment = await(store.get(requests.tenant, request.id()));
        wall.advance(Duration.ofNanos(1));
        Optional<Approval> after = await(store.get(requests.tenant, request.id()));

        // then
        assertEquals(State.EXPIRED, lastMoment.orElseThrow().state());
        assertEquals(Optional.empty(), after);
    }

    @Test
    void handsOutCopiesThatCannotChangeWhatItHolds() {
        // given
        Approval request = requests.request("payments", ApprovalTier.REQUIRED, false);
        await(store.open(request));

        // when
        request.preview().put("amount_usd_micros", 1);
        await(store.get(requests.tenant, request.id())).orElseThrow().preview().put("charge", "ch_other");

        // then
        assertEquals(Requests.preview(), await(store.get(requests.tenant, request.id())).orElseThrow().preview());
    }
}
