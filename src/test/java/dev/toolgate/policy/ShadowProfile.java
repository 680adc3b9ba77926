package dev.toolgate.policy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A shadow bundle beside the bundled policy: the bundled policy with a 10 USD unattended refund limit instead of 50,
 * compiled by the real {@code opa} when the profile starts.
 */
public class ShadowProfile implements QuarkusTestProfile {

    static final String LOWER_LIMIT = "unattended_refund_limit := 10000000";

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "test-shadow-bundle"));
            String rego = Files.readString(Path.of("policies/decision.rego"))
                    .replace("unattended_refund_limit := 50000000", LOWER_LIMIT);
            return Map.of("toolgate.policy.shadow", Opa.build(dir, rego, "toolgate/decision").toString());
        } catch (Exception e) {
            throw new IllegalStateException("the shadow bundle could not be built: " + e, e);
        }
    }
}
