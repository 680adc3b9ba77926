package dev.toolgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.toolgate.config.ToolgateConfig;
import io.quarkus.runtime.configuration.MemorySizeConverter;

/** {@code toolgate.audit.*}: bad or conflicting settings and unusable keys stop startup, naming the property. */
class AuditSettingsTest {

    @TempDir
    Path dir;

    private final Map<String, Object> audit = new HashMap<>();
    private final Map<String, Object> checkpoint = new HashMap<>();
    private final Map<String, Object> export = new HashMap<>();

    /** {@code toolgate.audit} as the configuration would map it: defaults unless the test sets a value. */
    private ToolgateConfig.Audit config() {
        audit.putIfAbsent("path", dir.resolve("audit.jsonl"));
        audit.putIfAbsent("maxBatch", 256);
        audit.putIfAbsent("outcomeSyncDelay", Duration.ofMillis(50));
        audit.putIfAbsent("rotateSize", Optional.empty());
        audit.putIfAbsent("rotateInterval", Optional.empty());
        checkpoint.putIfAbsent("key", Optional.empty());
        checkpoint.putIfAbsent("keyId", Optional.empty());
        checkpoint.putIfAbsent("everyRecords", 1000);
        checkpoint.putIfAbsent("every", Duration.ofMinutes(1));
        checkpoint.putIfAbsent("file", Optional.empty());
        export.putIfAbsent("file", Optional.empty());
        audit.put("checkpoint", proxy(ToolgateConfig.Checkpoint.class, checkpoint));
        audit.put("export", proxy(ToolgateConfig.Export.class, export));
        return proxy(ToolgateConfig.Audit.class, audit);
    }

    private static <T> T proxy(Class<T> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (self, method,
                args) -> {
            if (!values.containsKey(method.getName())) {
                throw new IllegalStateException("the test sets no " + method.getName());
            }
            return values.get(method.getName());
        }));
    }

    private String refusal() {
        return assertThrows(IllegalArgumentException.class, () -> AuditSettings.from(config())).getMessage();
    }

    @Test
    void theDefaultsTurnNothingOn() {
        AuditSettings settings = AuditSettings.from(config());

        assertEquals(OptionalLong.empty(), settings.rotateBytes());
        assertEquals(Optional.empty(), settings.rotateInterval());
        assertEquals(Optional.empty(), settings.checkpointKey());
        assertEquals(Optional.empty(), settings.exportFile());
    }

    @Test
    void readsASizeAndAKey() {
        AuditKeys keys = AuditKeys.generate(dir, "audit-key");
        audit.put("rotateSize", Optional.of(new MemorySizeConverter().convert("100M")));
        checkpoint.put("key", Optional.of(keys.privatePem()));
        checkpoint.put("keyId", Optional.of("audit-2026"));

        AuditSettings settings = AuditSettings.from(config());

        assertEquals(OptionalLong.of(100L * 1024 * 1024), settings.rotateBytes());
        assertEquals("audit-2026", settings.checkpointKey().orElseThrow().id());
        assertEquals(keys.pair().getPrivate(), settings.checkpointKey().orElseThrow().key());
    }

    @Test
    void refusesANonPositiveSizeOrDuration() {
        audit.put("rotateSize", Optional.of(new MemorySizeConverter().convert("0")));
        assertEquals("toolgate.audit.rotate-size must be above 0, was 0 bytes", refusal());

        audit.put("rotateSize", Optional.empty());
        audit.put("rotateInterval", Optional.of(Duration.ZERO));
        assertEquals("toolgate.audit.rotate-interval must be above 0, was PT0S", refusal());

        audit.put("rotateInterval", Optional.empty());
        checkpoint.put("every", Duration.ofSeconds(-1));
        assertEquals("toolgate.audit.checkpoint.every must be above 0, was PT-1S", refusal());

        checkpoint.put("every", Duration.ofMinutes(1));
        checkpoint.put("everyRecords", 0);
        assertEquals("toolgate.audit.checkpoint.every-records must be at least 1, was 0", refusal());
    }

    @Test
    void refusesAKeyWithoutAnIdAndAnIdOrCopyWithoutAKey() {
        checkpoint.put("key", Optional.of(AuditKeys.generate(dir, "audit-key").privatePem()));
        assertTrue(refusal().startsWith("toolgate.audit.checkpoint.key-id must be set"), refusal());

        checkpoint.put("key", Optional.empty());
        checkpoint.put("keyId", Optional.of("audit-2026"));
        assertTrue(refusal().startsWith("toolgate.audit.checkpoint.key-id is set but toolgate.audit.checkpoint.key"
                + " is not"), refusal());

        checkpoint.put("keyId", Optional.empty());
        checkpoint.put("file", Optional.of(dir.resolve("checkpoints.jsonl")));
        assertTrue(refusal().startsWith("toolgate.audit.checkpoint.file is set but toolgate.audit.checkpoint.key"
                + " is not"), refusal());
    }

    @Test
    void refusesTwoSettingsNamingTheSameFile() {
        export.put("file", Optional.of(dir.resolve("./audit.jsonl")));

        assertEquals("toolgate.audit.export.file and toolgate.audit.path name the same file, " + dir.resolve(
                "audit.jsonl") + "; each needs a file of its own", refusal());
    }

    @Test
    void refusesAKeyThatCannotBeReadNamingThePropertyAndTheFile() throws Exception {
        checkpoint.put("keyId", Optional.of("k"));

        Path missing = dir.resolve("missing.pem");
        checkpoint.put("key", Optional.of(missing));
        assertTrue(refusal().startsWith("toolgate.audit.checkpoint.key: cannot read the key " + missing), refusal());

        Path rsa = AuditKeys.write(dir.resolve("rsa.pem"), "PRIVATE KEY", KeyPairGenerator.getInstance("RSA")
                .generateKeyPair().getPrivate().getEncoded());
        checkpoint.put("key", Optional.of(rsa));
        assertTrue(refusal().startsWith("toolgate.audit.checkpoint.key: " + rsa + " is not an Ed25519 private key"),
                refusal());

        Path publicKey = AuditKeys.generate(dir, "pair").publicPem();
        checkpoint.put("key", Optional.of(publicKey));
        assertEquals("toolgate.audit.checkpoint.key: " + publicKey + " holds PUBLIC KEY, not PRIVATE KEY",
                refusal());

        Path encrypted = AuditKeys.write(dir.resolve("encrypted.pem"), "ENCRYPTED PRIVATE KEY", new byte[] { 1 });
        checkpoint.put("key", Optional.of(encrypted));
        assertTrue(refusal().contains("holds ENCRYPTED PRIVATE KEY, not PRIVATE KEY; toolgate needs it"
                + " unencrypted"), refusal());
    }

    @Test
    void signsWithAKeyOpensslMadeAndVerifiesWithTheKeyOpensslDerived() throws Exception {
        // given a key pair made the way the README says
        Path key = dir.resolve("openssl-key.pem");
        Path publicKey = dir.resolve("openssl-key.pub.pem");
        // openssl is a prerequisite (.ci/prereqs.sh): the README tells users to make keys with it
        assertTrue(run("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString()), "openssl genpkey failed");
        assertTrue(run("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", publicKey.toString()));

        // when a checkpoint is signed with the private key
        String signature = CheckpointSignatures.sign(CheckpointSignatures.readPrivateKey(key), 41, "a".repeat(64));

        // then the public key verifies it, over those bytes only
        assertTrue(CheckpointSignatures.verify(CheckpointSignatures.readPublicKey(publicKey), 41, "a".repeat(64),
                Base64.getDecoder().decode(signature)));
        assertFalse(CheckpointSignatures.verify(CheckpointSignatures.readPublicKey(publicKey), 42, "a".repeat(64),
                Base64.getDecoder().decode(signature)));
    }

    private boolean run(String... command) throws Exception {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0 && Files.exists(Path.of(
                    command[command.length - 1]));
        } catch (IOException e) {
            return false;
        }
    }
}
