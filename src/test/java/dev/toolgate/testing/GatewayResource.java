package dev.toolgate.testing;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;

import dev.toolgate.demo.SampleTools;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

/**
 * Starts what the gateway tests need before Quarkus starts: the real sample tools on free ports, a JWKS with a fresh
 * RSA key served over HTTP, the test contract pointing at the tools, and a fresh audit file.
 */
public class GatewayResource extends WorldResource {

    public static final String ISSUER = "https://issuer.toolgate.test";
    public static final String AUDIENCE = "toolgate";

    private static volatile SampleTools tools;
    private static volatile KeyPair signingKey;
    private static volatile Path auditFile;
    private static volatile RedisServer redis;
    private HttpServer jwksServer;
    private HttpServer webhookServer;
    private static final Map<String, Integer> webhookAttempts = new ConcurrentHashMap<>();
    private static final List<JsonObject> webhooks = new CopyOnWriteArrayList<>();

    /** {@code envoy-peer=trusted}: Envoy's {@code source.principal} identifies requests (EnvoyPeerPrincipalTest). */
    private boolean trustEnvoyPeer;

    public GatewayResource() {
        super("gateway");
    }

    @Override
    public void init(Map<String, String> initArgs) {
        super.init(initArgs);
        trustEnvoyPeer = "trusted".equals(initArgs.get("envoy-peer"));
    }

    @Override
    Map<String, String> configure(TestWorld world) throws Exception {
        tools = world.tools;
        redis = world.redis;
        auditFile = world.auditFile;
        Vertx vertx = world.vertx;

        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        signingKey = generator.generateKeyPair();
        RsaJsonWebKey jwk = new RsaJsonWebKey((RSAPublicKey) signingKey.getPublic());
        jwk.setKeyId("test-key");
        jwk.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        // the approval webhook receiver: refuses each notification once (503), so that a retry must follow
        webhookServer = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            JsonObject hook = body.toJsonObject();
            String id = hook.getString("approval_id");
            boolean first = webhookAttempts.merge(id, 1, Integer::sum) == 1;
            if (first) {
                request.response().setStatusCode(503).end();
            } else {
                webhooks.add(hook);
                request.response().setStatusCode(204).end();
            }
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        // keys by URL, as an identity provider publishes them
        String jwks = new JsonWebKeySet(jwk).toJson();
        jwksServer = vertx.createHttpServer()
                .requestHandler(request -> request.response().putHeader("Content-Type", "application/json").end(jwks))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        Map<String, String> config = world.config("gateway.yaml", Map.of());
        config.putAll(Map.ofEntries(
                Map.entry("toolgate.approvals.sweep-interval", "1S"),
                Map.entry("toolgate.idempotency.in-flight-lease", "1S"),
                Map.entry("toolgate.identity.jwt.jwks", "http://127.0.0.1:" + jwksServer.actualPort() + "/jwks.json"),
                Map.entry("toolgate.identity.jwt.issuer", ISSUER),
                Map.entry("toolgate.identity.jwt.audience", AUDIENCE),
                Map.entry("toolgate.http.max-body-bytes", "16384"),
                Map.entry("toolgate.http.max-upstream-body-bytes", "65536"),
                Map.entry("toolgate.approvals.ttl", "4S"),
                Map.entry("toolgate.approvals.webhook",
                        "http://127.0.0.1:" + webhookServer.actualPort() + "/hooks/approvals"),
                Map.entry("toolgate.approvals.public-url", "https://toolgate.test")));
        if (trustEnvoyPeer) {
            config.put("toolgate.envoy.trust-peer-principal", "true");
        }
        return config;
    }

    public static SampleTools tools() {
        return tools;
    }

    /** Approval webhooks delivered (after their refused first attempt), oldest first. */
    public static List<JsonObject> webhooks() {
        return List.copyOf(webhooks);
    }

    /** How many times the webhook of one approval was tried. */
    public static int webhookAttempts(String approvalId) {
        return webhookAttempts.getOrDefault(approvalId, 0);
    }

    public static KeyPair signingKey() {
        return signingKey;
    }

    /** The Redis server of the {@code redis} store, or null when the stores are embedded. */
    public static RedisServer redis() {
        return redis;
    }

    public static Path auditFile() {
        return auditFile;
    }

    /** A JWT signed with the test key: sub, tenant and the given lifetime, issuer and audience as configured. */
    public static String jwt(String agent, String tenant, long lifetimeSeconds) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(AUDIENCE);
        claims.setSubject(agent);
        if (tenant != null) {
            claims.setClaim("tenant", tenant);
        }
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(lifetimeSeconds / 60f);
        return sign(claims, signingKey);
    }

    public static String sign(JwtClaims claims, KeyPair key) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setKey(key.getPrivate());
            jws.setKeyIdHeaderValue("test-key");
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
