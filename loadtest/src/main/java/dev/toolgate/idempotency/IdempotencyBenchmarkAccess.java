package dev.toolgate.idempotency;

import java.time.Clock;
import java.time.Duration;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.Stage;

/** The idempotency stage built by hand for the benchmarks (package-private constructor): embedded store, defaults. */
public final class IdempotencyBenchmarkAccess {

    private IdempotencyBenchmarkAccess() {
    }

    public static Stage stage() {
        ToolgateConfig.Idempotency defaults = new ToolgateConfig.Idempotency() {
            public Duration ttl() {
                return Duration.ofHours(24);
            }

            public Duration inFlightLease() {
                return Duration.ofMinutes(2);
            }

            public int maxReplyBytes() {
                return 1_048_576;
            }
        };
        return new IdempotencyStage(new EmbeddedIdempotencyStore(), defaults, Clock.systemUTC());
    }
}
