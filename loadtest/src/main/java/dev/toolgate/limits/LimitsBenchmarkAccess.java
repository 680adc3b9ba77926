package dev.toolgate.limits;

import java.time.Clock;
import java.time.Duration;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.AuditLog;
import dev.toolgate.pipeline.Stage;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The kill switch and limits stages built by hand for the benchmarks (package-private constructors): the embedded
 * store, the default lease (5 min), run TTL (7 days) and Redis timeout (250 ms).
 */
public final class LimitsBenchmarkAccess {

    private LimitsBenchmarkAccess() {
    }

    public static Stage killSwitches() {
        return new KillSwitchStage(new KillSwitchBoard());
    }

    public static Stage limits(AuditLog audit, MeterRegistry meters) {
        ToolgateConfig.Limits defaults = new ToolgateConfig.Limits() {
            public Duration lease() {
                return Duration.ofMinutes(5);
            }

            public int maxPendingChecks() {
                return 10_000;
            }

            public Duration runTtl() {
                return Duration.ofDays(7);
            }

            public Duration sweepInterval() {
                return Duration.ofSeconds(10);
            }

            public Duration killSwitchRefresh() {
                return Duration.ofSeconds(5);
            }
        };
        return new LimitsStage(new EmbeddedLimitsStore(), new EmbeddedLimitsStore(), audit, meters, defaults,
                Duration.ofMillis(250), Clock.systemUTC());
    }
}
