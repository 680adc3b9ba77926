package dev.toolgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed bundles, made by the real {@code opa build --signing-key} with keys made by {@code openssl}: a bundle signed
 * by the configured key loads; unsigned, signed by another key or key id, or with a file changed, added or removed
 * after signing, it is refused, naming why.
 */
class BundleSignaturesTest {

    @TempDir
    Path dir;

    private Path src;

    @BeforeEach
    void policy() throws IOException {
        src = Files.createDirectories(dir.resolve("src"));
        Files.copy(Path.of("policies/decision.rego"), src.resolve("decision.rego"));
    }

    private static void run(Path in, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    /** A key pair made by openssl: {@code rsa} or {@code ec} (P-256); returns the private key, the public beside it. */
    private Path keys(String name, String kind) throws Exception {
        Path key = dir.resolve(name + ".pem");
        if (kind.equals("rsa")) {
            run(dir, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                    key.toString());
        } else {
            run(dir, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                    key.toString());
        }
        run(dir, "openssl", "pkey", "-in", key.toString(), "-pubout", "-out", dir.resolve(name + ".pub.pem").toString());
        return key;
    }

    private Path signed(String name, Path key, String... extra) throws Exception {
        Path bundle = dir.resolve(name + ".tar.gz");
        List<String> args = new ArrayList<>(List.of("build", "-b", "-t", "wasm", "-e", "toolgate/decision",
                "--signing-key", key.toString(), "-o", bundle.toString()));
        args.addAll(List.of(extra));
        args.add(src.toString());
        Opa.run(args, "");
        return bundle;
    }

    private BundleSignatures verifier(String name, String keyId) {
        return BundleSignatures.of(dir.resolve(name + ".pub.pem"), keyId);
    }

    private PolicyBundle load(Path bundle, BundleSignatures verifier) {
        return PolicyBundle.load(bundle.toString(), Optional.of(verifier));
    }

    private String refusal(Path bundle, BundleSignatures verifier) {
        return assertThrows(PolicyBundleException.class, () -> load(bundle, verifier)).getMessage();
    }

    /** The bundle unpacked, changed by {@code change}, packed again with its old signature. */
    private Path tampered(Path bundle, String name, java.util.function.Consumer<Path> change) throws Exception {
        Path unpacked = Files.createDirectories(dir.resolve(name));
        run(dir, "tar", "-xzf", bundle.toString(), "-C", unpacked.toString());
        change.accept(unpacked);
        Path out = dir.resolve(name + ".tar.gz");
        run(unpacked, "tar", "-czf", out.toString(), ".");
        return out;
    }

    @Test
    void loadsABundleSignedByTheConfiguredKeyWithRsaOrEc() throws Exception {
        Path bundle = signed("rsa", keys("rsa", "rsa"));
        PolicyBundle loaded = load(bundle, verifier("rsa", "default"));
        assertTrue(loaded.wasm().length > 0);
        try (OpaEngine engine = OpaEngine.start(loaded, 1, false)) {
            assertTrue(engine.revision().startsWith("sha256:"));
        }

        Path ec = signed("ec", keys("ec", "ec"), "--signing-alg", "ES256");
        assertTrue(load(ec, verifier("ec", "default")).wasm().length > 0);
    }

    @Test
    void refusesAnUnsignedBundleOrOneSignedByAnotherKeyOrKeyId() throws Exception {
        keys("mine", "rsa");
        Path theirs = signed("theirs", keys("theirs", "rsa"));
        Path unsigned = dir.resolve("unsigned.tar.gz");
        Opa.run(List.of("build", "-t", "wasm", "-e", "toolgate/decision", "-o", unsigned.toString(), src.toString()),
                "");

        assertTrue(refusal(unsigned, verifier("mine", "default")).contains("is not signed"));
        assertTrue(refusal(theirs, verifier("mine", "default")).contains("does not verify"));
        assertTrue(refusal(theirs, verifier("theirs", "release-2026")).contains("key id \"default\""));
        Path ecKey = keys("ec", "ec");
        assertTrue(refusal(theirs, verifier("ec", "default")).contains("cannot verify"), "RS256 with an EC key");
        assertTrue(ecKey.toFile().exists());
    }

    @Test
    void refusesABundleWhoseFilesChangedAfterSigning() throws Exception {
        Path bundle = signed("signed", keys("k", "rsa"));
        BundleSignatures verifier = verifier("k", "default");

        Path changedData = tampered(bundle, "data", d -> write(d.resolve("data.json"), "{\"limit\": 1}"));
        assertTrue(refusal(changedData, verifier).contains("/data.json does not match its signed hash"));

        Path changedWasm = tampered(bundle, "wasm", d -> {
            try {
                byte[] wasm = Files.readAllBytes(d.resolve("policy.wasm"));
                wasm[wasm.length - 1] ^= 1;
                Files.write(d.resolve("policy.wasm"), wasm);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(refusal(changedWasm, verifier).contains("/policy.wasm does not match its signed hash"));

        Path added = tampered(bundle, "added", d -> write(d.resolve("extra.json"), "{}"));
        assertTrue(refusal(added, verifier).contains("/extra.json is not covered by the signature"));

        Path removed = tampered(bundle, "removed", d -> {
            try {
                Files.delete(d.resolve("data.json"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(refusal(removed, verifier).contains("lists files the bundle does not hold: [data.json]"));

        // and reformatting a JSON file keeps its value: OPA signs JSON by value, not by bytes
        Path reformatted = tampered(bundle, "reformatted", d -> write(d.resolve(".manifest"), prettyManifest(d)));
        assertTrue(load(reformatted, verifier).wasm().length > 0);
    }

    private static String prettyManifest(Path unpacked) {
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(unpacked.resolve(".manifest")
                    .toFile()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void hashesJsonAsOpaDoes() {
        // sorted keys, no spaces, and Go's escaping of <, > and &
        String hash = BundleSignatures.hash("data.json", "{ \"b\": [1, 2.5, \"<&>\"], \"a\": {\"z\": null} }"
                .getBytes(StandardCharsets.UTF_8), "");
        assertEquals(BundleSignatures.hash("x.bin", "{\"a\":{\"z\":null},\"b\":[1,2.5,\"\\u003c\\u0026\\u003e\"]}"
                .getBytes(StandardCharsets.UTF_8), ""), hash);
    }
}
