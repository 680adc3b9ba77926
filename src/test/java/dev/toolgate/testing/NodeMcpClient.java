package dev.toolgate.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs {@code src/test/node/mcp-interop/client.mjs}, a scripted client on the official MCP TypeScript SDK, against an
 * MCP Streamable HTTP endpoint, and answers the JSON document it prints. The script is a JSON array of steps (see the
 * head of client.mjs), for example
 * {@code [{"op":"listTools"},{"op":"callTool","name":"echo","arguments":{"text":"hi"},"progress":true}]}; the answer is
 * {@code {"steps":[{"op","ok","result"|"error","elapsedMs"[,"progress"]}...],"serverVersion","protocolVersion",...}}
 * or {@code {"connectError":{...}}} when initialize failed. Failed steps are data, not exceptions: this class throws
 * only when the client itself could not run.
 * <p>
 * The first use in a JVM runs {@code npm ci} there unless {@code node_modules} is already installed from the current
 * {@code package-lock.json}; node and npm must be on the PATH ({@code .ci/prereqs.sh} installs them).
 */
public final class NodeMcpClient {

    /** The whole client process; it is killed past this. */
    public static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);
    /** Default timeout of each MCP request inside the client (a step's {@code timeoutMs} overrides it). */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(5);
    private static final int MIN_NODE_MAJOR = 18;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path installedDirectory;

    private NodeMcpClient() {
    }

    /** The directory of client.mjs, with its dependencies installed. */
    public static synchronized Path directory() {
        if (installedDirectory == null) {
            Path dir = locate();
            checkNode();
            installIfStale(dir);
            installedDirectory = dir;
        }
        return installedDirectory;
    }

    /**
     * Runs the script on one client session and answers the client's JSON document.
     *
     * @param token sent as {@code Authorization: Bearer token} on every request; none when null or empty
     * @param extraHeaders further request headers (may replace Authorization); null for none
     * @param scriptJson a JSON array of steps
     * @throws AssertionError when the client exits non-zero (a bad script), times out or prints no JSON document
     */
    public static JsonNode run(String url, String token, Map<String, String> extraHeaders, String scriptJson) {
        return run(url, token, extraHeaders, scriptJson, PROCESS_TIMEOUT);
    }

    public static JsonNode run(String url, String token, Map<String, String> extraHeaders, String scriptJson,
            Duration processTimeout) {
        Path dir = directory();
        ProcessBuilder builder = new ProcessBuilder("node", "client.mjs").directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("MCP_"));
        env.put("MCP_URL", url);
        if (token != null && !token.isEmpty()) {
            env.put("MCP_TOKEN", token);
        }
        if (extraHeaders != null && !extraHeaders.isEmpty()) {
            env.put("MCP_HEADERS", json(extraHeaders));
        }
        env.put("MCP_SCRIPT", scriptJson);
        env.put("MCP_TIMEOUT_MS", Long.toString(REQUEST_TIMEOUT.toMillis()));
        Output output = execute(builder, processTimeout, "node client.mjs (MCP_URL=" + url + ")");
        if (output.exitCode != 0) {
            throw new AssertionError("node client.mjs exited with " + output.exitCode + " for script " + scriptJson
                    + "\nstdout: " + output.stdout + "\nstderr: " + output.stderr);
        }
        try {
            JsonNode document = JSON.readTree(output.stdout);
            if (document == null || !document.isObject()) {
                throw new AssertionError("node client.mjs printed no JSON object\nstdout: " + output.stdout
                        + "\nstderr: " + output.stderr);
            }
            return document;
        } catch (JsonProcessingException e) {
            throw new AssertionError("node client.mjs printed no JSON document (" + e.getOriginalMessage()
                    + ")\nstdout: " + output.stdout + "\nstderr: " + output.stderr, e);
        }
    }

    private static Path locate() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("src/test/node/mcp-interop");
            if (Files.isRegularFile(candidate.resolve("client.mjs"))
                    && Files.isRegularFile(candidate.resolve("package-lock.json"))) {
                return candidate;
            }
        }
        throw new AssertionError("src/test/node/mcp-interop (client.mjs, package-lock.json) not found from " + start);
    }

    private static void checkNode() {
        String version = tool(List.of("node", "--version")).strip();
        int major;
        try {
            major = Integer.parseInt(version.replaceFirst("^v", "").split("\\.")[0]);
        } catch (NumberFormatException e) {
            throw new AssertionError("node --version answered '" + version + "'; the MCP interop tests need Node.js >= "
                    + MIN_NODE_MAJOR);
        }
        if (major < MIN_NODE_MAJOR) {
            throw new AssertionError("node " + version + " on the PATH is too old: the MCP interop tests need Node.js >= "
                    + MIN_NODE_MAJOR + " (.ci/prereqs.sh installs it)");
        }
        tool(List.of("npm", "--version"));
    }

    private static String tool(List<String> command) {
        Output output;
        try {
            output = execute(new ProcessBuilder(command), Duration.ofSeconds(30), String.join(" ", command));
        } catch (AssertionError e) {
            throw new AssertionError(String.join(" ", command) + " failed: the MCP interop tests need Node.js >= "
                    + MIN_NODE_MAJOR + " and npm on the PATH (.ci/prereqs.sh installs them)", e);
        }
        if (output.exitCode != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + output.exitCode + ": "
                    + output.stderr);
        }
        return output.stdout;
    }

    /**
     * {@code npm ci} unless node_modules holds an install of the current lockfile: npm rewrites
     * {@code node_modules/.package-lock.json} on every install, so it is older than {@code package-lock.json} (or
     * absent) exactly when the lockfile changed since.
     */
    private static void installIfStale(Path dir) {
        Path installed = dir.resolve("node_modules/.package-lock.json");
        try {
            if (Files.isRegularFile(installed)) {
                FileTime lock = Files.getLastModifiedTime(dir.resolve("package-lock.json"));
                if (Files.getLastModifiedTime(installed).compareTo(lock) >= 0) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read the modification times under " + dir, e);
        }
        Output output = execute(new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile()),
                NPM_CI_TIMEOUT, "npm ci in " + dir);
        if (output.exitCode != 0) {
            throw new AssertionError("npm ci in " + dir + " exited with " + output.exitCode + "\nstdout: "
                    + output.stdout + "\nstderr: " + output.stderr);
        }
    }

    private record Output(int exitCode, String stdout, String stderr) {
    }

    /** Runs a process with its output in temporary files (no pipe to fill up), killing it past the timeout. */
    private static Output execute(ProcessBuilder builder, Duration timeout, String what) {
        Path out = null;
        Path err = null;
        Process process = null;
        try {
            out = Files.createTempFile("node-mcp-client", ".out");
            err = Files.createTempFile("node-mcp-client", ".err");
            process = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(what + " did not finish within " + timeout + "\nstdout: " + read(out)
                        + "\nstderr: " + read(err));
            }
            return new Output(process.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new AssertionError("could not run " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + what, e);
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            delete(out);
            delete(err);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
