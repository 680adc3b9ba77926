package dev.toolgate.policy;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.call.CanonicalJson;

/**
 * Checks an OPA bundle's signature, as {@code opa build --signing-key} writes it: {@code /.signatures.json} holds one
 * JWT ({@code RS256/384/512} or {@code ES256/384/512}) whose payload lists every file of the bundle with its SHA-256,
 * signed by the key whose public half toolgate is given ({@code toolgate.policy.verification-key}). A bundle is
 * refused unless the signature verifies, its key id is the configured one, and the files listed are exactly the files
 * in the bundle, each with the hash listed. As OPA does, a {@code .json} file is hashed over its JSON value written
 * with sorted keys and no spaces (Go's encoding: {@code <}, {@code >}, {@code &} escaped), any other file over its
 * bytes.
 */
public final class BundleSignatures {

    static final String SIGNATURES = ".signatures.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PublicKey key;
    private final String keyId;

    private BundleSignatures(PublicKey key, String keyId) {
        this.key = key;
        this.keyId = keyId;
    }

    /**
     * The verifier of a public key in PEM ({@code -----BEGIN PUBLIC KEY-----}, RSA or EC).
     *
     * @throws PolicyBundleException when the key cannot be read
     */
    public static BundleSignatures of(Path publicKey, String keyId) {
        try {
            String pem = Files.readString(publicKey);
            String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
            byte[] der = Base64.getDecoder().decode(base64);
            for (String algorithm : new String[] { "RSA", "EC" }) {
                try {
                    return new BundleSignatures(KeyFactory.getInstance(algorithm)
                            .generatePublic(new X509EncodedKeySpec(der)), keyId);
                } catch (GeneralSecurityException e) {
                    // try the next algorithm
                }
            }
            throw new PolicyBundleException("toolgate.policy.verification-key " + publicKey
                    + ": not an RSA or EC public key in PEM (-----BEGIN PUBLIC KEY-----)");
        } catch (IOException | IllegalArgumentException e) {
            throw new PolicyBundleException("toolgate.policy.verification-key " + publicKey + ": cannot be read: "
                    + e.getMessage(), e);
        }
    }

    /** The verifier {@code toolgate.policy.verification-key} asks for, if any. */
    static java.util.Optional<BundleSignatures> configured(dev.toolgate.config.ToolgateConfig config) {
        return config.policy().verificationKey().map(key -> of(key, config.policy().verificationKeyId()));
    }

    /**
     * Checks the files of a bundle.
     *
     * @throws PolicyBundleException naming what does not hold
     */
    void verify(Map<String, byte[]> files, String source) {
        String where = "policy bundle " + source + ": ";
        byte[] signatures = files.get(SIGNATURES);
        if (signatures == null) {
            throw new PolicyBundleException(where + "is not signed (no /" + SIGNATURES + "), and"
                    + " toolgate.policy.verification-key requires a signed bundle: opa build --signing-key ...");
        }
        JsonNode tokens = json(signatures, where + "/" + SIGNATURES).path("signatures");
        if (!tokens.isArray() || tokens.size() != 1 || !tokens.get(0).isTextual()) {
            throw new PolicyBundleException(where + "/" + SIGNATURES + " must hold exactly one signature");
        }
        String[] parts = tokens.get(0).textValue().split("\\.", -1);
        if (parts.length != 3) {
            throw new PolicyBundleException(where + "the signature is not a JWT");
        }
        JsonNode header = json(decode(parts[0], where), where + "the signature's header");
        JsonNode payload = json(decode(parts[1], where), where + "the signature's payload");
        String alg = header.path("alg").asText("");
        checkSignature(alg, (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII), decode(parts[2], where),
                where);
        String kid = payload.path("keyid").asText(header.path("kid").asText(""));
        if (!kid.equals(keyId)) {
            throw new PolicyBundleException(where + "signed with key id \"" + kid + "\", not \"" + keyId
                    + "\" (toolgate.policy.verification-key-id)");
        }
        Map<String, String> listed = new TreeMap<>();
        for (JsonNode file : payload.path("files")) {
            String name = file.path("name").asText("").replaceFirst("^/+", "");
            if (!"SHA-256".equals(file.path("algorithm").asText()) || !file.path("hash").isTextual()) {
                throw new PolicyBundleException(where + "the signature lists " + name + " with a hash other than SHA-256");
            }
            listed.put(name, file.path("hash").textValue());
        }
        Map<String, byte[]> signed = new HashMap<>(files);
        signed.remove(SIGNATURES);
        for (Map.Entry<String, byte[]> file : new TreeMap<>(signed).entrySet()) {
            String expected = listed.remove(file.getKey());
            if (expected == null) {
                throw new PolicyBundleException(where + "/" + file.getKey() + " is not covered by the signature");
            }
            if (!expected.equals(hash(file.getKey(), file.getValue(), where))) {
                throw new PolicyBundleException(where + "/" + file.getKey() + " does not match its signed hash");
            }
        }
        if (!listed.isEmpty()) {
            throw new PolicyBundleException(where + "the signature lists files the bundle does not hold: "
                    + listed.keySet());
        }
    }

    private void checkSignature(String alg, byte[] signed, byte[] signature, String where) {
        String java = switch (alg) {
            case "RS256" -> "SHA256withRSA";
            case "RS384" -> "SHA384withRSA";
            case "RS512" -> "SHA512withRSA";
            case "ES256" -> "SHA256withECDSA";
            case "ES384" -> "SHA384withECDSA";
            case "ES512" -> "SHA512withECDSA";
            default -> throw new PolicyBundleException(where + "the signature's algorithm \"" + alg
                    + "\" is not one toolgate verifies (RS256/384/512, ES256/384/512)");
        };
        boolean rsa = alg.startsWith("RS");
        if (rsa != key instanceof RSAPublicKey || !rsa && !(key instanceof ECPublicKey)) {
            throw new PolicyBundleException(where + "signed with " + alg + ", which the verification key ("
                    + key.getAlgorithm() + ") cannot verify");
        }
        try {
            Signature verifier = Signature.getInstance(java);
            verifier.initVerify(key);
            verifier.update(signed);
            if (!verifier.verify(rsa ? signature : der(signature))) {
                throw new PolicyBundleException(where + "the signature does not verify with the verification key");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new PolicyBundleException(where + "the signature does not verify with the verification key ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** A JWS ECDSA signature (r and s, each of the curve's size) in the DER form Java verifies. */
    private static byte[] der(byte[] raw) {
        if (raw.length % 2 != 0 || raw.length == 0) {
            throw new IllegalArgumentException("an ECDSA signature of odd length");
        }
        int half = raw.length / 2;
        byte[] r = new BigInteger(1, java.util.Arrays.copyOfRange(raw, 0, half)).toByteArray();
        byte[] s = new BigInteger(1, java.util.Arrays.copyOfRange(raw, half, raw.length)).toByteArray();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (byte[] integer : new byte[][] { r, s }) {
            body.write(0x02);
            length(body, integer.length);
            body.writeBytes(integer);
        }
        java.io.ByteArrayOutputStream sequence = new java.io.ByteArrayOutputStream();
        sequence.write(0x30);
        length(sequence, body.size());
        sequence.writeBytes(body.toByteArray());
        return sequence.toByteArray();
    }

    private static void length(java.io.ByteArrayOutputStream out, int length) {
        if (length < 128) {
            out.write(length);
        } else if (length < 256) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        }
    }

    /** The SHA-256 OPA signs for a file: over its bytes, or for JSON over its value written as OPA writes it. */
    static String hash(String name, byte[] content, String where) {
        byte[] hashed = content;
        if (name.endsWith(".json") || name.equals(".manifest")) {
            StringBuilder out = new StringBuilder();
            write(json(content, where + "/" + name), out);
            hashed = out.toString().getBytes(StandardCharsets.UTF_8);
        }
        return CanonicalJson.sha256Hex(hashed);
    }

    /** JSON as Go's encoder writes a decoded value: object keys sorted, no spaces, HTML characters escaped. */
    private static void write(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                sorted.put(e.getKey(), e.getValue());
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                string(e.getKey(), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(node.get(i), out);
            }
            out.append(']');
        } else if (node.isTextual()) {
            string(node.textValue(), out);
        } else if (node.isNumber()) {
            out.append(number(node.decimalValue()));
        } else {
            out.append(node.toString()); // true, false, null
        }
    }

    /**
     * A number as Go writes a decoded float64: its shortest digits, plain from 1e-6 to below 1e21, else with an
     * exponent ({@code 1e+21}, {@code 1e-7}).
     */
    private static String number(BigDecimal value) {
        double d = value.doubleValue();
        double abs = Math.abs(d);
        if (abs == 0) {
            return "0";
        }
        BigDecimal shortest = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        if (abs >= 1e-6 && abs < 1e21) {
            return shortest.toPlainString();
        }
        int exponent = shortest.precision() - shortest.scale() - 1;
        return shortest.movePointLeft(exponent).toPlainString() + "e" + (exponent < 0 ? "-" : "+")
                + Math.abs(exponent);
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static byte[] decode(String part, String where) {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new PolicyBundleException(where + "the signature is not base64url", e);
        }
    }

    private static JsonNode json(byte[] bytes, String what) {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null) {
                throw new PolicyBundleException(what + " is empty");
            }
            return node;
        } catch (IOException e) {
            throw new PolicyBundleException(what + " is not JSON", e);
        }
    }
}
