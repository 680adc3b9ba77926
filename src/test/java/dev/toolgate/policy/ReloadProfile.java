package dev.toolgate.policy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The bundled policy as a file of its own, looked at every 100 ms for a new bundle. */
public class ReloadProfile implements QuarkusTestProfile {

    static final Path BUNDLE = Path.of("target", "test-reload", "bundle.tar.gz").toAbsolutePath();

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Files.createDirectories(BUNDLE.getParent());
            Files.copy(Opa.builtBundle(), BUNDLE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            throw new IllegalStateException("the bundle file could not be made: " + e, e);
        }
        return Map.of("toolgate.policy.bundle", BUNDLE.toString(), "toolgate.reload-interval", "100ms");
    }
}
