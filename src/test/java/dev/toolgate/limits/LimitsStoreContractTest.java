package dev.toolgate.limits;

import static dev.toolgate.limits.Calls.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.toolgate.limits.LimitsStore.Budget;
import dev.toolgate.limits.LimitsStore.BudgetState;
import dev.toolgate.limits.LimitsStore.Killed;
import dev.toolgate.limits.LimitsStore.OverBudget;
import dev.toolgate.limits.LimitsStore.Rate;
import dev.toolgate.limits.LimitsStore.RateLimited;
import dev.toolgate.limits.LimitsStore.RateState;
import dev.toolgate.limits.LimitsStore.ReserveResult;
import dev.toolgate.limits.LimitsStore.Reserved;
import dev.toolgate.limits.LimitsStore.SettleResult;
import io.smallrye.mutiny.Uni;

/**
 * What every {@link LimitsStore} promises, whatever holds the state. Subclasses supply the store; each test uses a
 * fresh tenant, so tests share no state and run in any order.
 */
abstract class LimitsStoreContractTest {

    /** The store under test. */
    abstract LimitsStore store();

    /** A second store instance on the same state, as a second toolgate instance would have. */
    abstract LimitsStore secondStore();

    private final Calls calls = new Calls();

    @Test
    void killSwitchFieldBlocksUntilClearedAndOnlyItsTenant() {
        // given
        await(store().kill(calls.tenant, "tool:payments", Optional.of("incident 42")));
        Budget budget = calls.budget("daily", 1_000, 100);
        List<String> fields = List.of("agent:bot", "tool:payments");
        Calls other = new Calls();

        // when
        ReserveResult killed = await(store().reserve(calls.withKillFields(calls.reserve("r1", List.of(budget)), fields)));
        ReserveResult otherTenant = await(store().reserve(
                other.withKillFields(other.reserve("r1", List.of(other.budget("daily", 1_000, 100))), fields)));
        await(store().kill(calls.tenant, "tool:payments", Optional.empty()));
        ReserveResult cleared = await(store().reserve(calls.withKillFields(calls.reserve("r2", List.of(budget)), fields)));

        // then
        assertEquals(new Killed("tool:payments", "incident 42"), killed);
        assertInstanceOf(Reserved.class, otherTenant, "another tenant's kill switches are its own");
        assertEquals(new BudgetState(1_000, 0, 100), ((Reserved) cleared).budgets().get(0),
                "the killed call reserved nothing; the one after clearing did");
        assertEquals(SettleResult.GONE, await(store().settle(calls.settle("r1", 100, budget))));
    }

    @Test
    void killSwitchesAreReadPerTenantAndInFullFromEveryInstance() {
        // given: two tenants' switches engaged through one instance
        Calls other = new Calls();
        await(store().kill(calls.tenant, "tool:payments", Optional.of("incident 42")));
        await(store().kill(calls.tenant, "*", Optional.of("all stop")));
        await(store().kill(other.tenant, "agent:bot", Optional.of("leaked key")));

        // when: read through the other instance
        Map<String, String> tenant = await(secondStore().killSwitches(calls.tenant));
        Map<String, Map<String, String>> all = await(secondStore().allKillSwitches());
        await(store().kill(calls.tenant, "*", Optional.empty()));
        Map<String, String> afterClearing = await(secondStore().killSwitches(calls.tenant));

        // then
        assertEquals(Map.of("tool:payments", "incident 42", "*", "all stop"), tenant);
        assertEquals(tenant, all.get(calls.tenant));
        assertEquals(Map.of("agent:bot", "leaked key"), all.get(other.tenant));
        assertEquals(Map.of("tool:payments", "incident 42"), afterClearing);
        assertEquals(Map.of(), await(secondStore().killSwitches(new Calls().tenant)), "a tenant with none");
    }

    @Test
    void rateLimitAdmitsABurstThenTellsWhenTheNextTokenComes() {
        // given: a token every 100ms, bursts of 3
        Rate rate = calls.rate("calls", Duration.ofMillis(100), 3);
        Instant t0 = calls.now;

        // when
        List<ReserveResult> burst = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            burst.add(await(store().reserve(calls.rateOnly("b" + i, t0, rate))));
        }

        // then
        assertEquals(List.of(new RateState(2, Duration.ofMillis(100))), ((Reserved) burst.get(0)).rates());
        assertEquals(List.of(new RateState(1, Duration.ofMillis(200))), ((Reserved) burst.get(1)).rates());
        assertEquals(List.of(new RateState(0, Duration.ofMillis(300))), ((Reserved) burst.get(2)).rates());
        assertEquals(new RateLimited(0, Duration.ofMillis(100), List.of(new RateState(0, Duration.ofMillis(300)))),
                burst.get(3));
    }

    @Test
    void rateLimitTokensComeBackOverTime() {
        // given: a burst of 3 spent at t0
        Rate rate = calls.rate("calls", Duration.ofMillis(100), 3);
        Instant t0 = calls.now;
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(Reserved.class, await(store().reserve(calls.rateOnly("b" + i, t0, rate))));
        }

        // when
        ReserveResult early = await(store().reserve(calls.rateOnly("early", t0.plusMillis(100).minusNanos(1_000), rate)));
        ReserveResult onTime = await(store().reserve(calls.rateOnly("on-time", t0.plusMillis(100), rate)));
        ReserveResult later = await(store().reserve(calls.rateOnly("later", t0.plusSeconds(10), rate)));

        // then
        assertEquals(new RateLimited(0, Duration.ofNanos(1_000), List.of(new RateState(0, Duration.ofNanos(200_001_000)))),
                early, "a microsecond early is still limited");
        assertEquals(List.of(new RateState(0, Duration.ofMillis(300))), ((Reserved) onTime).rates());
        assertEquals(List.of(new RateState(2, Duration.ofMillis(100))), ((Reserved) later).rates(),
                "after a long pause the full burst is back");
    }

    @Test
    void rateLimitCountsMicroseconds() {
        // given: 10,000 calls a second, no burst
        Rate rate = calls.rate("fast", Duration.ofNanos(100_000), 1);
        Instant t0 = calls.now;

        // when
        ReserveResult first = await(store().reserve(calls.rateOnly("f1", t0, rate)));
        ReserveResult tooSoon = await(store().reserve(calls.rateOnly("f2", t0.plusNanos(99_000), rate)));
        ReserveResult next = await(store().reserve(calls.rateOnly("f3", t0.plusNanos(100_000), rate)));

        // then
        assertEquals(List.of(new RateState(0, Duration.ofNanos(100_000))), ((Reserved) first).rates());
        assertEquals(Duration.ofNanos(1_000), ((RateLimited) tooSoon).retryAfter());
        assertInstanceOf(Reserved.class, next);
    }

    @Test
    void budgetAdmitsAnAmountThatExactlyFitsAndNotOneMicroDollarMore() {
        // given: 600,000 of 1,000,000 reserved
        Reserved first = (Reserved) await(store().reserve(calls.reserve("r1", List.of(calls.budget("b", 1_000_000, 600_000)))));

        // when
        ReserveResult over = await(store().reserve(calls.reserve("r2", List.of(calls.budget("b", 1_000_000, 400_001)))));
        ReserveResult fits = await(store().reserve(calls.reserve("r3", List.of(calls.budget("b", 1_000_000, 400_000)))));

        // then
        assertEquals(400_000, first.budgets().get(0).remainingUsdMicros());
        assertEquals(new OverBudget(0, new BudgetState(1_000_000, 0, 600_000)), over);
        assertEquals(new BudgetState(1_000_000, 0, 1_000_000), ((Reserved) fits).budgets().get(0));
        assertEquals(0, ((Reserved) fits).budgets().get(0).remainingUsdMicros());
    }

    @Test
    void overBudgetNamesTheBudgetThatCannotAdmit() {
        // given
        List<Budget> budgets = List.of(calls.budget("loose", 1_000, 500), calls.budget("tight", 400, 500));

        // when
        ReserveResult result = await(store().reserve(calls.reserve("r1", budgets)));

        // then
        assertEquals(new OverBudget(1, new BudgetState(400, 0, 0)), result);
    }

    @Test
    void aCallRefusedByItsSecondBudgetTakesNothing() {
        // given
        Rate rate = calls.rate("once", Duration.ofMinutes(1), 1);
        Budget loose = calls.budget("loose", 1_000, 500);
        Budget tight = calls.budget("tight", 400, 500);

        // when
        ReserveResult refused = await(store().reserve(calls.reserve("r1", calls.now, List.of(rate), List.of(loose, tight))));

        // then
        assertInstanceOf(OverBudget.class, refused);
        assertEquals(new BudgetState(0, 0, 0), await(store().budget(calls.tenant, loose.key())), "nothing reserved");
        assertEquals(SettleResult.GONE, await(store().settle(calls.settle("r1", 500, loose, tight))), "no reservation");
        assertInstanceOf(Reserved.class, await(store().reserve(calls.rateOnly("r2", calls.now, rate))),
                "the only token is still there");
    }

    @Test
    void aRateLimitedCallReservesNothing() {
        // given: the only token is taken
        Rate rate = calls.rate("once", Duration.ofMinutes(1), 1);
        Budget budget = calls.budget("b", 1_000, 500);
        await(store().reserve(calls.rateOnly("r1", calls.now, rate)));

        // when
        ReserveResult limited = await(store().reserve(calls.reserve("r2", calls.now, List.of(rate), List.of(budget))));

        // then
        assertInstanceOf(RateLimited.class, limited);
        assertEquals(new BudgetState(0, 0, 0), await(store().budget(calls.tenant, budget.key())));
        assertEquals(SettleResult.GONE, await(store().release(calls.settle("r2", 0, budget))));
    }

    @Test
    void aDryRunAnswersWhatWouldHappenAndWritesNothing() {
        // given
        Rate rate = calls.rate("once", Duration.ofMinutes(1), 1);
        Budget budget = calls.budget("b", 1_000, 700);

        // when
        ReserveResult proposal = await(store().reserve(calls.dryRun(calls.reserve("dry", calls.now, List.of(rate),
                List.of(budget)))));

        // then
        assertEquals(new Reserved(List.of(new RateState(0, Duration.ofMinutes(1))), List.of(new BudgetState(1_000, 0,
                700))), proposal);
        assertEquals(new BudgetState(0, 0, 0), await(store().budget(calls.tenant, budget.key())));
        assertEquals(SettleResult.GONE, await(store().settle(calls.settle("dry", 700, budget))));
        assertInstanceOf(Reserved.class, await(store().reserve(calls.reserve("real", calls.now, List.of(rate),
                List.of(budget)))), "the token and the budget are still there");
    }

    @Test
    void settleSpendsTheActualCostAndReleasesTheReservation() {
        // given
        Budget run = calls.budget("run", 10_000, 500);
        Budget tenant = calls.budget("tenant", 10_000, 500);
        await(store().reserve(calls.reserve("cheap", List.of(run, tenant))));
        await(store().reserve(calls.reserve("dear", List.of(run))));

        // when
        SettleResult cheap = await(store().settle(calls.settle("cheap", 300, run, tenant)));
        SettleResult dear = await(store().settle(calls.settle("dear", 800, run)));
        SettleResult again = await(store().settle(calls.settle("dear", 800, run)));

        // then
        assertEquals(List.of(SettleResult.SETTLED, SettleResult.SETTLED, SettleResult.GONE), List.of(cheap, dear, again));
        assertEquals(new BudgetState(10_000, 1_100, 0), await(store().budget(calls.tenant, run.key())),
                "below and above the estimate, each counted once");
        assertEquals(new BudgetState(10_000, 300, 0), await(store().budget(calls.tenant, tenant.key())),
                "the actual cost counts against every budget of the call");
    }

    @Test
    void releaseSpendsNothing() {
        // given
        Budget budget = calls.budget("b", 1_000, 600);
        await(store().reserve(calls.reserve("r1", List.of(budget))));

        // when
        SettleResult released = await(store().release(calls.settle("r1", 999, budget)));
        SettleResult settledAfter = await(store().settle(calls.settle("r1", 600, budget)));

        // then
        assertEquals(SettleResult.SETTLED, released);
        assertEquals(SettleResult.GONE, settledAfter);
        assertEquals(new BudgetState(1_000, 0, 0), await(store().budget(calls.tenant, budget.key())));
    }

    @Test
    void anExpiredLeaseIsReleasedOnceAndItsSettleIsGone() {
        // given: a reservation whose call never settles
        Budget budget = calls.budget("b", 1_000, 600);
        await(store().reserve(calls.reserve("crashed", List.of(budget))));

        // when
        int beforeLease = await(store().releaseExpired(calls.tenant, calls.now.plus(Calls.LEASE).minusSeconds(1)));
        BudgetState held = await(store().budget(calls.tenant, budget.key()));
        int afterLease = await(store().releaseExpired(calls.tenant, calls.now.plus(Calls.LEASE).plusSeconds(1)));
        int again = await(store().releaseExpired(calls.tenant, calls.now.plus(Calls.LEASE).plusSeconds(2)));
        SettleResult lateSettle = await(store().settle(calls.settle("crashed", 600, budget)));

        // then
        assertEquals(0, beforeLease);
        assertEquals(new BudgetState(1_000, 0, 600), held);
        assertEquals(1, afterLease);
        assertEquals(0, again);
        assertEquals(SettleResult.GONE, lateSettle, "never released twice");
        assertEquals(new BudgetState(1_000, 0, 0), await(store().budget(calls.tenant, budget.key())));
    }

    @Test
    void ledgersOfDifferentDaysAndMonthsAreIndependent() {
        // given: today's and this month's ledgers full
        Instant today = calls.now;
        Instant tomorrow = today.plus(Duration.ofDays(1));
        Instant nextMonth = Keys.endOfMonth(today).plusSeconds(1);
        await(store().reserve(calls.reserve("d1", today, List.of(), windows(today, 1_000))));

        // when
        ReserveResult sameDay = await(store().reserve(calls.reserve("d2", today, List.of(), windows(today, 1))));
        ReserveResult nextDay = await(store().reserve(calls.reserve("d3", tomorrow, List.of(),
                List.of(windows(tomorrow, 1_000).get(0)))));
        ReserveResult newMonth = await(store().reserve(calls.reserve("d4", nextMonth, List.of(),
                List.of(windows(nextMonth, 1_000).get(1)))));

        // then
        assertInstanceOf(OverBudget.class, sameDay);
        assertEquals(new BudgetState(1_000, 0, 1_000), ((Reserved) nextDay).budgets().get(0));
        assertEquals(new BudgetState(1_000, 0, 1_000), ((Reserved) newMonth).budgets().get(0));
        assertEquals(new BudgetState(1_000, 0, 1_000), await(store().budget(calls.tenant,
                Keys.workflowBudget(calls.tenant, "wf", "billing", today))), "today's ledger untouched");
    }

    private List<Budget> windows(Instant at, long amount) {
        return List.of(
                new Budget(Keys.workflowBudget(calls.tenant, "wf", "billing", at), 1_000, amount,
                        Keys.endOfDay(at).plus(Duration.ofDays(1))),
                new Budget(Keys.tenantBudget(calls.tenant, "month", at), 1_000, amount,
                        Keys.endOfMonth(at).plus(Duration.ofDays(1))));
    }

    @Test
    void aLedgerIsForgottenAtItsExpiry() {
        // given: a ledger that expires in 300ms of wall-clock time
        Budget budget = new Budget(calls.budgetKey("short"), 1_000, 400, Instant.now().plusMillis(300));
        await(store().reserve(calls.reserve("r1", List.of(budget))));
        await(store().settle(calls.settle("r1", 400, budget)));
        assertEquals(new BudgetState(1_000, 400, 0), await(store().budget(calls.tenant, budget.key())));

        // when / then
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> await(store().budget(calls.tenant, budget.key())).equals(new BudgetState(0, 0, 0)));
    }

    @Test
    void resetBudgetZeroesTheLedgerAndEarlierReservationsSettleIntoNothing() {
        // given: one settled and one open reservation
        Budget budget = calls.budget("b", 1_000, 400);
        await(store().reserve(calls.reserve("settled", List.of(budget))));
        await(store().settle(calls.settle("settled", 400, budget)));
        await(store().reserve(calls.reserve("open", List.of(budget))));

        // when
        await(store().resetBudget(calls.tenant, budget.key()));
        BudgetState afterReset = await(store().budget(calls.tenant, budget.key()));
        await(store().reserve(calls.reserve("fresh", List.of(budget))));
        SettleResult old = await(store().settle(calls.settle("open", 900, budget)));

        // then
        assertEquals(new BudgetState(1_000, 0, 0), afterReset);
        assertEquals(SettleResult.SETTLED, old);
        assertEquals(new BudgetState(1_000, 0, 400), await(store().budget(calls.tenant, budget.key())),
                "the fresh reservation stays held; the old one neither releases nor spends");
    }

    @Test
    void refusesAReservationIdTwiceAndKeysOfAnotherTenant() {
        // given
        Budget budget = calls.budget("b", 1_000, 100);
        await(store().reserve(calls.reserve("r1", List.of(budget))));
        Budget foreign = new Budget(new Calls().budgetKey("b"), 1_000, 100, calls.now.plusSeconds(60));

        // when / then
        assertThrows(RuntimeException.class, () -> await(store().reserve(calls.reserve("r1", List.of(budget)))));
        assertThrows(IllegalArgumentException.class,
                () -> await(store().reserve(calls.reserve("r2", List.of(foreign)))));
        assertEquals(new BudgetState(1_000, 0, 100), await(store().budget(calls.tenant, budget.key())));
    }

    @Test
    void concurrentReservationsNeverSpendAMicroDollarOverTheCap() {
        // given: 1,000 calls of cost C against a cap of 250 C, over two store instances
        long cost = 1_234;
        int admissible = 250;
        Budget budget = calls.budget("shared", admissible * cost, cost);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Uni<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            LimitsStore store = i % 2 == 0 ? store() : secondStore();
            String id = "c" + i;
            attempts.add(store.reserve(calls.reserve(id, List.of(budget)))
                    .runSubscriptionOn(threads)
                    .chain(result -> result instanceof Reserved
                            ? store.settle(calls.settle(id, cost, budget)).map(settled -> true)
                            : Uni.createFrom().item(false)));
        }

        // when
        List<Boolean> admitted;
        try {
            admitted = Uni.join().all(attempts).andFailFast().await().atMost(Duration.ofMinutes(2));
        } finally {
            threads.shutdownNow();
        }

        // then
        assertEquals(admissible, admitted.stream().filter(Boolean::booleanValue).count());
        assertEquals(new BudgetState(admissible * cost, admissible * cost, 0),
                await(secondStore().budget(calls.tenant, budget.key())));
    }
}
