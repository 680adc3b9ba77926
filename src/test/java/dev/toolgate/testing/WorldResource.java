package dev.toolgate.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A test resource built on a {@link TestWorld}: the {@code store} argument (embedded, the default, redis or redis-persistent)
 * chooses
 * the stores, the world starts before Quarkus and closes after it, and a subclass adds what its tests need.
 */
abstract class WorldResource implements QuarkusTestResourceLifecycleManager {

    private final String name;
    private String store = "embedded";
    private TestWorld world;

    /** @param name the resource's name: its files live under {@code target/test-<name>/} */
    WorldResource(String name) {
        this.name = name;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        store = initArgs.getOrDefault("store", "embedded");
    }

    @Override
    public final Map<String, String> start() {
        try {
            world = TestWorld.start(name, store);
            return configure(world);
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("could not start the " + name + " test resources", e);
        }
    }

    /** Starts what the tests need besides the world; answers the configuration Quarkus starts with. */
    abstract Map<String, String> configure(TestWorld world) throws Exception;

    /** Stops what {@link #configure} started; the world closes after it. */
    void release() {
    }

    @Override
    public final void stop() {
        try {
            release();
        } finally {
            if (world != null) {
                world.close();
            }
        }
    }
}
