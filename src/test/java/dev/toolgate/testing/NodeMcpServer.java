package dev.toolgate.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * selfcheck-server.mjs, an MCP server on the official TypeScript SDK (stateful Streamable HTTP, {@code echo} and
 * {@code slow} tools, {@code tools/list} one tool a page), run by node on a free port.
 */
public final class NodeMcpServer implements AutoCloseable {

    private static final Path LOG = Path.of("target", "test-node", "selfcheck-server.log").toAbsolutePath();

    private final Process process;
    private final int port;

    private NodeMcpServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts the server.
     *
     * @param environment its settings (TOKEN, GET_STATUS, PAGE_SIZE; see the script's header)
     */
    public static NodeMcpServer start(Map<String, String> environment) throws Exception {
        Path dir = NodeMcpClient.directory();
        Files.createDirectories(LOG.getParent());
        ProcessBuilder builder = new ProcessBuilder("node", "selfcheck-server.mjs").directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(LOG.toFile()));
        builder.environment().put("PORT", "0");
        builder.environment().putAll(environment);
        Process process = builder.start();
        BufferedReader stdout = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        if (line == null || !line.strip().matches("\\d+")) {
            process.destroyForcibly();
            throw new AssertionError("selfcheck-server.mjs printed '" + line + "' instead of its port; see " + LOG);
        }
        return new NodeMcpServer(process, Integer.parseInt(line.strip()));
    }

    /** {@code http://127.0.0.1:<port>}; the MCP endpoint is any path under {@code /mcp}. */
    public String base() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
