package dev.toolgate.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 signatures of checkpoint records, and the PEM keys they are made and checked with: a private key as PKCS#8
 * ({@code openssl genpkey -algorithm ed25519 -out audit-key.pem}), a public key as SubjectPublicKeyInfo
 * ({@code openssl pkey -in audit-key.pem -pubout -out audit-key.pub.pem}).
 * <p>
 * A checkpoint signs exactly these bytes (ASCII): {@code toolgate-audit-checkpoint-v1\n}, the head's seq in decimal,
 * {@code \n}, the head's hash in lowercase hex, {@code \n}. The prefix keeps the signature from meaning anything else
 * made with the same key.
 */
public final class CheckpointSignatures {

    /** The prefix of every signed byte string; a new layout gets a new version. */
    static final String DOMAIN = "toolgate-audit-checkpoint-v1\n";
    private static final String ALGORITHM = "Ed25519";
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");

    private CheckpointSignatures() {
    }

    /** The bytes a checkpoint over record {@code headSeq}, whose line hashes to {@code headHash}, signs. */
    static byte[] signedBytes(long headSeq, String headHash) {
        return (DOMAIN + headSeq + "\n" + headHash + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The signature, base64 (RFC 4648, with padding). */
    static String sign(PrivateKey key, long headSeq, String headHash) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(signedBytes(headSeq, headHash));
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign an audit checkpoint: " + e, e);
        }
    }

    /** Whether {@code signature} is {@code key}'s over the head. */
    static boolean verify(PublicKey key, long headSeq, String headHash, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(signedBytes(headSeq, headHash));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Reads an Ed25519 private key, PKCS#8 in PEM ({@code BEGIN PRIVATE KEY}), unencrypted.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static PrivateKey readPrivateKey(Path pem) {
        byte[] der = der(pem, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(pem + " is not an Ed25519 private key (" + e.getMessage()
                    + "); make one with `openssl genpkey -algorithm ed25519 -out " + pem + "`", e);
        }
    }

    /**
     * Reads an Ed25519 public key, SubjectPublicKeyInfo in PEM ({@code BEGIN PUBLIC KEY}).
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static PublicKey readPublicKey(Path pem) {
        byte[] der = der(pem, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(pem + " is not an Ed25519 public key (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] der(Path pem, String label) {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the key " + pem + ": " + e, e);
        }
        Matcher block = PEM.matcher(text);
        if (!block.find()) {
            throw new IllegalArgumentException(pem + " holds no PEM block (-----BEGIN " + label + "-----)");
        }
        String found = block.group(1);
        if (!found.equals(label)) {
            String hint = switch (found) {
                case "ENCRYPTED PRIVATE KEY" -> "; toolgate needs it unencrypted: `openssl pkey -in " + pem
                        + " -out plain.pem`, readable by toolgate only";
                case "PRIVATE KEY" -> "; give the public key: `openssl pkey -in " + pem + " -pubout`";
                default -> "";
            };
            throw new IllegalArgumentException(pem + " holds " + found + ", not " + label + hint);
        }
        try {
            return Base64.getMimeDecoder().decode(block.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(pem + ": the " + label + " is not valid base64", e);
        }
    }
}
