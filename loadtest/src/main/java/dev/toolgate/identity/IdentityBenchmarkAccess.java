package dev.toolgate.identity;

import java.time.Duration;
import java.util.Optional;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.Stage;

/** The identity stages built by hand for the benchmarks (package-private constructors); API keys only, no JWKS. */
public final class IdentityBenchmarkAccess {

    private IdentityBenchmarkAccess() {
    }

    public static Stage identity() {
        return new IdentityStage(new JwtVerifier(new ToolgateConfig.Jwt() {
            public Optional<String> jwks() {
                return Optional.empty();
            }

            public Optional<String> issuer() {
                return Optional.empty();
            }

            public Optional<String> audience() {
                return Optional.empty();
            }

            public Duration jwksRefresh() {
                return Duration.ofMinutes(10);
            }

            public Duration clockSkew() {
                return Duration.ofSeconds(30);
            }

            public String agentClaim() {
                return "sub";
            }

            public String tenantClaim() {
                return "tenant";
            }

            public String workflowClaim() {
                return "workflow";
            }

            public String rolesClaim() {
                return "roles";
            }

            public String runClaim() {
                return "run_id";
            }
        }));
    }

    public static Stage runPin() {
        return new RunPinStage();
    }
}
