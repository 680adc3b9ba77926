package dev.toolgate.contract;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The contract file looked at every 100 ms for a new version. */
public class ReloadIntervalProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("toolgate.reload-interval", "100ms");
    }
}
