package dev.toolgate.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs one real {@code redis-server} per test class (see {@link RedisServer}):
 *
 * <pre>
 * &#64;RegisterExtension
 * static final RedisServerExtension REDIS = new RedisServerExtension();
 * </pre>
 *
 * The server starts before the class's first test and is killed after its last; {@link #server()} lets a test stop,
 * restart or pause it.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private volatile RedisServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** The running server; only between the class's first and last test. */
    public RedisServer server() {
        if (server == null) {
            throw new IllegalStateException("the Redis server runs only while the test class runs");
        }
        return server;
    }

    /** {@code redis://127.0.0.1:port} of the running server. */
    public String url() {
        return server().url();
    }
}
