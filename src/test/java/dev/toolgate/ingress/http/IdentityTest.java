package dev.toolgate.ingress.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Who is acting: API keys and JWTs from Authorization, and nothing else. */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class IdentityTest {

    private static Response getCharge(String authorization) {
        var request = given();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.get("/tools/payments/charges/ch_1");
    }

    private static void assertUnauthenticated(Response response) {
        response.then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer realm=\"toolgate\"")
                .header("Toolgate-Decision-Id", notNullValue())
                .header("Toolgate-Policy-Revision", notNullValue())
                .body("reason", equalTo("unauthenticated"))
                .body("status", equalTo(401))
                .body("type", equalTo("urn:toolgate:reason:unauthenticated"))
                .body("decision_id", equalTo(response.header("Toolgate-Decision-Id")));
        JsonNode record = AuditRecords.denied(response.header("Toolgate-Decision-Id"));
        assertEquals("unauthenticated", record.path("reason").asText());
        assertTrue(record.path("principal").isNull());
    }

    @Test
    void refusesACallWithoutCredential() {
        assertUnauthenticated(getCharge(null));
    }

    @Test
    void refusesAnUnknownApiKey() {
        assertUnauthenticated(getCharge("Bearer not-a-key"));
    }

    @Test
    void refusesANonBearerScheme() {
        assertUnauthenticated(getCharge("Basic ZGVtby1zdXBwb3J0LWtleTo="));
    }

    @Test
    void neverTakesIdentityFromAnotherHeader() {
        Response response = given().header("X-Api-Key", "demo-support-key").header("X-Agent-Id", "support-bot")
                .header("X-Forwarded-User", "support-bot").get("/tools/payments/charges/ch_1");
        assertUnauthenticated(response);
        assertTrue(GatewayResource.tools().received().stream()
                .noneMatch(r -> response.header("Toolgate-Decision-Id").equals(r.headers().get("toolgate-decision-id"))));
    }

    @Test
    void acceptsAValidApiKeyAndRecordsThePrincipal() {
        Response response = getCharge("Bearer demo-support-key");
        response.then().statusCode(200).body("id", equalTo("ch_1"));
        JsonNode intent = AuditRecords.await(response.header("Toolgate-Decision-Id"), 2).get(0);
        assertEquals("support-bot", intent.path("principal").path("agent").asText());
        assertEquals("acme", intent.path("principal").path("tenant").asText());
        assertEquals("api_key", intent.path("principal").path("authenticated_by").asText());
    }

    @Test
    void acceptsAValidJwtAndMapsItsClaims() {
        Response response = getCharge("Bearer " + GatewayResource.jwt("jwt-bot", "acme", 300));
        response.then().statusCode(200);
        JsonNode intent = AuditRecords.await(response.header("Toolgate-Decision-Id"), 2).get(0);
        assertEquals("jwt-bot", intent.path("principal").path("agent").asText());
        assertEquals("jwt", intent.path("principal").path("authenticated_by").asText());
    }

    @Test
    void refusesAnExpiredJwt() {
        JwtClaims claims = claims("jwt-bot", "acme");
        claims.setExpirationTime(NumericDate.fromSeconds(System.currentTimeMillis() / 1000 - 3600));
        claims.setIssuedAt(NumericDate.fromSeconds(System.currentTimeMillis() / 1000 - 7200));
        assertUnauthenticated(getCharge("Bearer " + GatewayResource.sign(claims, key())));
    }

    @Test
    void refusesAJwtSignedByAnotherKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        assertUnauthenticated(
                getCharge("Bearer " + GatewayResource.sign(claims("jwt-bot", "acme"), generator.generateKeyPair())));
    }

    @Test
    void refusesAJwtForAnAgentOutsideTheContract() {
        assertUnauthenticated(getCharge("Bearer " + GatewayResource.jwt("ghost-bot", "acme", 300)));
    }

    @Test
    void refusesAJwtWhoseTenantIsNotTheAgents() {
        assertUnauthenticated(getCharge("Bearer " + GatewayResource.jwt("jwt-bot", "globex", 300)));
    }

    @Test
    void refusesAJwtForAnotherAudience() {
        JwtClaims claims = claims("jwt-bot", "acme");
        claims.setAudience("someone-else");
        assertUnauthenticated(getCharge("Bearer " + GatewayResource.sign(claims, key())));
    }

    @Test
    void aTokenPinnedToARunPutsEveryCallInThatRun() {
        JwtClaims claims = claims("jwt-bot", "acme");
        claims.setClaim("run_id", "run-pinned-1");
        String token = "Bearer " + GatewayResource.sign(claims, key());

        Response unnamed = getCharge(token);
        Response named = given().header("Authorization", token).header("Toolgate-Run-Id", "run-pinned-1")
                .get("/tools/payments/charges/ch_1");

        unnamed.then().statusCode(200);
        named.then().statusCode(200);
        assertEquals("run-pinned-1",
                AuditRecords.await(unnamed.header("Toolgate-Decision-Id"), 2).get(0).path("run_id").asText());
        assertEquals("run-pinned-1",
                AuditRecords.await(named.header("Toolgate-Decision-Id"), 2).get(0).path("run_id").asText());
    }

    @Test
    void refusesARunIdThatIsNotTheRunTheTokenIsFor() {
        JwtClaims claims = claims("jwt-bot", "acme");
        claims.setClaim("run_id", "run-pinned-2");

        Response other = given().header("Authorization", "Bearer " + GatewayResource.sign(claims, key()))
                .header("Toolgate-Run-Id", "run-of-my-own").get("/tools/payments/charges/ch_1");

        other.then().statusCode(401).contentType("application/problem+json")
                .body("reason", equalTo("unauthenticated"))
                .body("detail", equalTo("the run id the call names is not the run its token is for"));
        String id = other.header("Toolgate-Decision-Id");
        assertTrue(GatewayResource.tools().received().stream()
                .noneMatch(r -> id.equals(r.headers().get("toolgate-decision-id"))), "the tool saw nothing");
        JsonNode record = AuditRecords.denied(id);
        assertEquals("unauthenticated", record.path("reason").asText());
        assertEquals("jwt-bot", record.path("principal").path("agent").asText());
    }

    @Test
    void refusesARunClaimThatIsNotARunId() {
        JwtClaims number = claims("jwt-bot", "acme");
        number.setClaim("run_id", 42);
        JwtClaims spaced = claims("jwt-bot", "acme");
        spaced.setClaim("run_id", "run with spaces");

        assertUnauthenticated(getCharge("Bearer " + GatewayResource.sign(number, key())));
        assertUnauthenticated(getCharge("Bearer " + GatewayResource.sign(spaced, key())));
    }

    private static JwtClaims claims(String agent, String tenant) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(GatewayResource.ISSUER);
        claims.setAudience(GatewayResource.AUDIENCE);
        claims.setSubject(agent);
        claims.setClaim("tenant", tenant);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        return claims;
    }

    private static java.security.KeyPair key() {
        return GatewayResource.signingKey();
    }
}
