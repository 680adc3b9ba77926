package dev.toolgate.limits;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Time as integer microseconds, the unit both stores count in (rates of 10,000 a second need more than millis). */
final class Micros {

    private Micros() {
    }

    static long of(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    static long of(Duration duration) {
        return Math.addExact(Math.multiplyExact(duration.getSeconds(), 1_000_000L), duration.getNano() / 1_000);
    }

    static Duration duration(long micros) {
        return Duration.of(micros, ChronoUnit.MICROS);
    }
}
