package dev.toolgate.testing;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts what the MCP gateway tests need before Quarkus: a real MCP server built with the official Java SDK (with one
 * more tool, {@value #REFUNDS}, that the bundled policy knows), one built with the TypeScript SDK that pages its tool
 * list, the contract {@code contracts/mcp.yaml} pointing at them, and a fresh audit file; with {@code store=redis}, a
 * real redis-server.
 */
public class McpResource implements QuarkusTestResourceLifecycleManager {

    /** The MCP tool the bundled policy decides as a refund when its server is named {@code payments}. */
    public static final String REFUNDS = "refunds.create";

    private static volatile McpUpstreamServer upstream;
    private NodeMcpServer paged;
    private static volatile Path auditFile;
    private TestWorld world;
    private String store = "embedded";

    @Override
    public void init(Map<String, String> initArgs) {
        store = initArgs.getOrDefault("store", "embedded");
    }

    @Override
    public Map<String, String> start() {
        try {
            world = TestWorld.start("mcp", store);
            auditFile = world.auditFile;
            upstream = McpUpstreamServer.start();
            upstream.addTool(REFUNDS);
            int closed;
            try (ServerSocket socket = new ServerSocket(0)) {
                closed = socket.getLocalPort();
            }
            // a TypeScript-SDK server that lists one tool a page
            paged = NodeMcpServer.start(Map.of("PAGE_SIZE", "1"));
            Map<String, String> config = world.config("mcp.yaml", Map.of("MCP_URL", upstream.url(), "CLOSED_PORT",
                    String.valueOf(closed), "PAGED_URL", paged.base() + "/mcp"));
            config.put("toolgate.http.max-body-bytes", "16384");
            config.put("toolgate.idempotency.in-flight-lease", "2S");
            return config;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the MCP test resources", e);
        }
    }

    @Override
    public void stop() {
        if (upstream != null) {
            upstream.close();
        }
        if (paged != null) {
            try {
                paged.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (world != null) {
            world.close();
        }
    }

    /** The upstream MCP server of the running test. */
    public static McpUpstreamServer upstream() {
        return upstream;
    }

    public static Path auditFile() {
        return auditFile;
    }
}
