package dev.toolgate.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

/** Ed25519 key pairs made in the test, written as PEM files the way openssl writes them. */
public record AuditKeys(KeyPair pair, Path privatePem, Path publicPem) {

    /** A new key pair, written to {@code <name>.pem} (PKCS#8) and {@code <name>.pub.pem} (SubjectPublicKeyInfo). */
    public static AuditKeys generate(Path dir, String name) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Path privatePem = write(dir.resolve(name + ".pem"), "PRIVATE KEY", pair.getPrivate().getEncoded());
            Path publicPem = write(dir.resolve(name + ".pub.pem"), "PUBLIC KEY", pair.getPublic().getEncoded());
            return new AuditKeys(pair, privatePem, publicPem);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM since 15 has Ed25519", e);
        }
    }

    static Path write(Path file, String label, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        try {
            return Files.writeString(file, "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label
                    + "-----\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key as the writer's settings hold it, under {@code id}. */
    public AuditSettings.CheckpointKey checkpointKey(String id) {
        return new AuditSettings.CheckpointKey(CheckpointSignatures.readPrivateKey(privatePem), id);
    }
}
