package dev.toolgate.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The real {@code opa} the build uses, and the bundle the build compiled from {@code policies/}. */
final class Opa {

    private Opa() {
    }

    /** The bundle {@code opa build -t wasm} made of {@code policies/} (surefire passes its path). */
    static Path builtBundle() {
        String path = System.getProperty("test.policy.bundle");
        if (path == null || !Files.isRegularFile(Path.of(path))) {
            throw new IllegalStateException("system property test.policy.bundle does not name the built bundle: "
                    + path + " (run the tests through Maven)");
        }
        return Path.of(path);
    }

    /** The engine of the bundled policy. */
    static OpaEngine bundledEngine(int instances, boolean interpreter) {
        return OpaEngine.start(PolicyBundle.read(builtBundle()), instances, interpreter);
    }

    /**
     * Compiles one Rego module with {@code opa build -t wasm} into {@code dir/bundle.tar.gz}.
     *
     * @param entrypoint the entrypoint to build, normally {@code toolgate/decision}
     */
    static Path build(Path dir, String rego, String entrypoint) throws IOException, InterruptedException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("policy.rego"), rego);
        Path bundle = dir.resolve("bundle.tar.gz");
        run(List.of("build", "-t", "wasm", "-e", entrypoint, "-o", bundle.toString(), src.toString()), "");
        return bundle;
    }

    /** Runs opa with arguments and standard input; fails unless it exits 0. */
    static String run(List<String> args, String stdin) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("test.opa", "opa"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).start();
        // own threads, not the common pool: on a 2-core machine it has one thread, and both pipes must move at once
        CompletableFuture<byte[]> stderr = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                stderr.complete(process.getErrorStream().readAllBytes());
            } catch (IOException e) {
                stderr.complete(e.toString().getBytes(StandardCharsets.UTF_8));
            }
        });
        CompletableFuture<Void> writer = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
                writer.complete(null);
            } catch (IOException e) {
                writer.completeExceptionally(e);
            }
        });
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("opa " + args + " did not finish within 60 s");
        }
        if (process.exitValue() != 0) {
            throw new IOException("opa " + args + " exited " + process.exitValue() + ": "
                    + new String(stderr.join(), StandardCharsets.UTF_8) + stdout);
        }
        writer.join();
        return stdout;
    }
}
