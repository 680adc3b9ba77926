package dev.toolgate.limits;

import java.time.Duration;
import java.time.Instant;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Settles again, in the background, a reservation whose settle the store did not take: every attempt waits twice as
 * long as the one before (a quarter of a second first, ten seconds at most), until one is taken or the reservation's
 * lease has run out (then the lease sweep releases it and a settle finds nothing). Settling twice is a no-op, so an
 * attempt that overlaps a late first one changes nothing.
 */
final class LateSettlements {

    private static final Logger LOG = Logger.getLogger(LateSettlements.class);
    private static final Duration FIRST = Duration.ofMillis(250);
    private static final Duration LONGEST = Duration.ofSeconds(10);

    private LateSettlements() {
    }

    static void retry(LimitsStore store, LimitsStore.SettleRequest settle, Instant leaseEnds) {
        attempt(store, settle, leaseEnds, FIRST);
    }

    private static void attempt(LimitsStore store, LimitsStore.SettleRequest settle, Instant leaseEnds, Duration wait) {
        if (Instant.now().plus(wait).isAfter(leaseEnds)) {
            LOG.warnf("reservation %s of tenant %s could not be settled before its lease ran out; it is released",
                    settle.reservationId(), settle.tenant());
            return;
        }
        Uni.createFrom().voidItem().onItem().delayIt().by(wait).chain(() -> store.settle(settle)).subscribe().with(
                settled -> LOG.infof("reservation %s of tenant %s settled late (%s)", settle.reservationId(),
                        settle.tenant(), settled),
                fault -> attempt(store, settle, leaseEnds, wait.multipliedBy(2).compareTo(LONGEST) > 0 ? LONGEST
                        : wait.multipliedBy(2)));
    }
}
