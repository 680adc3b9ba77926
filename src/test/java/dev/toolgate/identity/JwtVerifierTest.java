package dev.toolgate.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.toolgate.call.AgentSpec;
import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.Contract;
import dev.toolgate.config.ToolgateConfig;

/** JWTs verified against a JWKS file, and their claims mapped to a principal of the contract. */
class JwtVerifierTest {

    @TempDir
    static Path dir;
    static KeyPair key;
    static JwtVerifier verifier;
    /** Reads the agent from an {@code agent_id} claim. */
    static JwtVerifier agentIdVerifier;
    static final Contract CONTRACT = new Contract(
            Map.of("jwt-bot", new AgentSpec("jwt-bot", "acme", "billing", List.of("support"), List.of())), Map.of(),
            Map.of(), List.of(), JsonNodeFactory.instance.objectNode(), "test");

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        key = generator.generateKeyPair();
        RsaJsonWebKey jwk = new RsaJsonWebKey((RSAPublicKey) key.getPublic());
        jwk.setKeyId("k1");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JsonWebKeySet(jwk).toJson());
        verifier = new JwtVerifier(config(jwks.toString(), "sub"));
        agentIdVerifier = new JwtVerifier(config(jwks.toString(), "agent_id"));
    }

    private static String token(JwtClaims claims) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivate());
        jws.setKeyIdHeaderValue("k1");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    private static JwtClaims claims() {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer("https://issuer.test");
        claims.setAudience("toolgate");
        claims.setSubject("jwt-bot");
        claims.setClaim("tenant", "acme");
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        return claims;
    }

    private static JwtVerifier.Result verify(JwtClaims claims) throws Exception {
        return verifier.verify(token(claims), CONTRACT).await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void mapsClaimsToThePrincipal() throws Exception {
        JwtClaims claims = claims();
        claims.setClaim("workflow", "chargebacks");
        claims.setStringListClaim("roles", "reader", "support");

        var verified = assertInstanceOf(JwtVerifier.Verified.class, verify(claims));

        assertEquals("jwt-bot", verified.principal().agent());
        assertEquals("acme", verified.principal().tenant());
        assertEquals("chargebacks", verified.principal().workflow());
        assertEquals(List.of("reader", "support"), verified.principal().roles());
        assertEquals(AuthMethod.JWT, verified.principal().authenticatedBy());
    }

    @Test
    void keepsTheAgentsWorkflowWithoutAWorkflowClaim() throws Exception {
        var verified = assertInstanceOf(JwtVerifier.Verified.class, verify(claims()));
        assertEquals("billing", verified.principal().workflow());
    }

    @Test
    void refusesAnotherIssuer() throws Exception {
        JwtClaims claims = claims();
        claims.setIssuer("https://evil.test");
        assertInstanceOf(JwtVerifier.Rejected.class, verify(claims));
    }

    @Test
    void refusesATokenWithoutTheAgentClaim() throws Exception {
        var rejected = assertInstanceOf(JwtVerifier.Rejected.class,
                agentIdVerifier.verify(token(claims()), CONTRACT).await().atMost(Duration.ofSeconds(10)));
        assertTrue(rejected.why().contains("\"agent_id\""), rejected.why());
    }

    @Test
    void readsTheAgentFromTheConfiguredClaim() throws Exception {
        JwtClaims claims = claims();
        claims.setSubject("someone@idp");
        claims.setClaim("agent_id", "jwt-bot");
        var verified = assertInstanceOf(JwtVerifier.Verified.class,
                agentIdVerifier.verify(token(claims), CONTRACT).await().atMost(Duration.ofSeconds(10)));
        assertEquals("jwt-bot", verified.principal().agent());
    }

    @Test
    void refusesRolesThatAreNotStrings() throws Exception {
        JwtClaims claims = claims();
        claims.setClaim("roles", List.of("support", 7, java.util.Map.of("admin", true)));
        var rejected = assertInstanceOf(JwtVerifier.Rejected.class, verify(claims));
        assertTrue(rejected.why().contains("\"roles\" claim must be a string or a list of strings"), rejected.why());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "[\"acme\"]", "42", "{\"id\":\"acme\"}", "true" })
    void refusesATenantClaimThatIsNotAString(String tenant) throws Exception {
        JwtClaims claims = JwtClaims.parse(claims().toJson().replace("\"tenant\":\"acme\"", "\"tenant\":" + tenant));
        var rejected = assertInstanceOf(JwtVerifier.Rejected.class, verify(claims));
        assertTrue(rejected.why().contains("\"tenant\" claim must be a string"), rejected.why());
    }

    @Test
    void refusesAWorkflowClaimThatIsNotAString() throws Exception {
        JwtClaims claims = claims();
        claims.setClaim("workflow", 12);
        assertInstanceOf(JwtVerifier.Rejected.class, verify(claims));
    }

    @Test
    void refusesATokenIssuedInTheFuture() throws Exception {
        JwtClaims claims = claims();
        for (long ahead : new long[] { 3600, 120 }) {
            claims.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(java.time.Instant.now().getEpochSecond() + ahead));
            assertInstanceOf(JwtVerifier.Rejected.class, verify(claims), ahead + " s ahead");
        }
        // within the clock skew (30 s here) it is accepted
        claims.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(java.time.Instant.now().getEpochSecond() + 10));
        assertInstanceOf(JwtVerifier.Verified.class, verify(claims));
    }

    @Test
    void refusesAnEmptyOrNonStringSubject() throws Exception {
        JwtClaims empty = claims();
        empty.setSubject("");
        assertInstanceOf(JwtVerifier.Rejected.class, verify(empty));
        JwtClaims number = JwtClaims.parse(claims().toJson().replace("\"sub\":\"jwt-bot\"", "\"sub\":7"));
        assertInstanceOf(JwtVerifier.Rejected.class, verify(number));
    }

    @Test
    void refusesAnUnsignedToken() throws Exception {
        String[] parts = token(claims()).split("\\.");
        String unsigned = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"none\"}".getBytes()) + "." + parts[1] + ".AAAA";
        assertInstanceOf(JwtVerifier.Rejected.class,
                verifier.verify(unsigned, CONTRACT).await().atMost(Duration.ofSeconds(10)));
    }

    @Test
    void tellsAJwtFromAnApiKeyByItsShape() {
        assertTrue(JwtVerifier.looksLikeJwt("eyJh.eyJz.c2ln"));
        assertFalse(JwtVerifier.looksLikeJwt("demo-support-key"));
        assertFalse(JwtVerifier.looksLikeJwt("a.b"));
    }

    private static ToolgateConfig.Jwt config(String jwks, String agentClaim) {
        return new ToolgateConfig.Jwt() {
            public Optional<String> jwks() {
                return Optional.of(jwks);
            }

            public Optional<String> issuer() {
                return Optional.of("https://issuer.test");
            }

            public Optional<String> audience() {
                return Optional.of("toolgate");
            }

            public Duration jwksRefresh() {
                return Duration.ofMinutes(10);
            }

            public Duration clockSkew() {
                return Duration.ofSeconds(30);
            }

            public String agentClaim() {
                return agentClaim;
            }

            public String tenantClaim() {
                return "tenant";
            }

            public String workflowClaim() {
                return "workflow";
            }

            public String rolesClaim() {
                return "roles";
            }

            @Override
            public String runClaim() {
                return "run_id";
            }
        };
    }
}
