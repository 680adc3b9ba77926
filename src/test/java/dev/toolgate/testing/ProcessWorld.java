package dev.toolgate.testing;

import java.nio.file.Path;
import java.util.Map;

import dev.toolgate.demo.SampleTools;

/**
 * What a toolgate process under test needs ({@link ToolgateProcess}): the real sample tools on free ports, the gateway
 * tests' contract pointing at them, a fresh directory under {@code target/test-<name>/} with the audit file, and the
 * embedded stores.
 */
public final class ProcessWorld implements AutoCloseable {

    private final TestWorld world;
    private final Map<String, String> config;

    private ProcessWorld(TestWorld world, Map<String, String> config) {
        this.world = world;
        this.config = config;
    }

    public static ProcessWorld start(String name) throws Exception {
        TestWorld world = TestWorld.start(name, "embedded");
        try {
            return new ProcessWorld(world, Map.copyOf(world.config("gateway.yaml", Map.of())));
        } catch (Exception e) {
            world.close();
            throw e;
        }
    }

    /** The settings toolgate starts with: the contract and the audit file. */
    public Map<String, String> config() {
        return config;
    }

    public SampleTools tools() {
        return world.tools;
    }

    public Path auditFile() {
        return world.auditFile;
    }

    /** Where the process's output goes. */
    public Path log() {
        return log("toolgate");
    }

    /** Where the output of a process of this name goes. */
    public Path log(String name) {
        return world.dir.resolve(name + ".log");
    }

    @Override
    public void close() {
        world.close();
    }
}
