package dev.toolgate.adversarial;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.testing.GatewayResource;

/**
 * Builds the JWTs of the scenarios by hand (a JWT library would refuse to write most of them): the template's claims
 * with the scenario's laid over, signed with the trusted key, another key, HS256 keyed with the public key, or not at
 * all. A claim value {@code "now"}, {@code "now+N"} or {@code "now-N"} is that many seconds from now.
 */
final class JwtForge {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RELATIVE = Pattern.compile("now([+-]\\d+)?");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static volatile KeyPair stranger;

    private JwtForge() {
    }

    static String token(Scenario.Jwt jwt, KeyPair trusted, UnaryOperator<String> substitute) {
        long now = System.currentTimeMillis() / 1000;
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", GatewayResource.ISSUER);
        claims.put("aud", GatewayResource.AUDIENCE);
        claims.put("sub", "jwt-bot");
        claims.put("tenant", "acme");
        claims.put("iat", now);
        claims.put("exp", now + 300);
        for (Map.Entry<String, JsonNode> claim : jwt.claims().entrySet()) {
            JsonNode value = claim.getValue();
            if (value == null || value.isNull()) {
                claims.remove(claim.getKey());
            } else if (value.isTextual() && RELATIVE.matcher(value.asText()).matches()) {
                Matcher m = RELATIVE.matcher(value.asText());
                m.matches();
                claims.put(claim.getKey(), now + (m.group(1) == null ? 0 : Long.parseLong(m.group(1))));
            } else if (value.isTextual()) {
                claims.put(claim.getKey(), substitute.apply(value.asText()));
            } else {
                claims.set(claim.getKey(), value);
            }
        }
        String alg = switch (jwt.signing()) {
            case HS256_PUBLIC_KEY -> "HS256";
            case NONE -> "none";
            default -> "RS256";
        };
        ObjectNode header = JSON.createObjectNode().put("alg", alg).put("typ", "JWT");
        if (!jwt.kid().isEmpty()) {
            header.put("kid", jwt.kid());
        }
        String signingInput = b64(header.toString()) + "." + b64(claims.toString());
        try {
            return signingInput + "." + switch (jwt.signing()) {
                case TEST_KEY -> rs256(signingInput, trusted);
                case OTHER_KEY -> rs256(signingInput, stranger());
                case TAMPERED -> tamper(rs256(signingInput, trusted));
                case HS256_PUBLIC_KEY -> hs256(signingInput, trusted.getPublic().getEncoded());
                case NONE -> "";
            };
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign the scenario's JWT", e);
        }
    }

    private static String b64(String text) {
        return B64.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String rs256(String input, KeyPair key) throws Exception {
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key.getPrivate());
        signature.update(input.getBytes(StandardCharsets.US_ASCII));
        return B64.encodeToString(signature.sign());
    }

    private static String hs256(String input, byte[] secret) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String tamper(String signature) {
        char[] chars = signature.toCharArray();
        int middle = chars.length / 2;
        chars[middle] = chars[middle] == 'A' ? 'B' : 'A';
        return new String(chars);
    }

    private static KeyPair stranger() throws Exception {
        if (stranger == null) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            stranger = generator.generateKeyPair();
        }
        return stranger;
    }
}
