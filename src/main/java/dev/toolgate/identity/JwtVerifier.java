package dev.toolgate.identity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import dev.toolgate.call.AgentSpec;
import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Principal;
import dev.toolgate.call.RunIds;
import dev.toolgate.config.ToolgateConfig;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Verifies JWT bearer tokens with smallrye-jwt against a JWKS file or URL and maps their claims to a principal of the
 * contract. Verification runs on a worker thread: fetching a JWKS URL blocks.
 */
@ApplicationScoped
public class JwtVerifier {

    private static final Logger LOG = Logger.getLogger(JwtVerifier.class);

    /** The outcome of verifying one token. */
    sealed interface Result {
    }

    record Verified(Principal principal) implements Result {
    }

    record Rejected(String why) implements Result {
    }

    private final ToolgateConfig.Jwt config;
    private final DefaultJWTParser parser;

    @Inject
    JwtVerifier(ToolgateConfig config) {
        this(config.identity().jwt());
    }

    JwtVerifier(ToolgateConfig.Jwt config) {
        this.config = config;
        this.parser = config.jwks().map(jwks -> new DefaultJWTParser(context(config, jwks))).orElse(null);
    }

    boolean enabled() {
        return parser != null;
    }

    /** Three base64url parts: the compact JWS shape. An API key never has it. */
    static boolean looksLikeJwt(String token) {
        return token.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    }

    Uni<Result> verify(String token, Contract contract) {
        return Uni.createFrom().item(() -> verifyBlocking(token, contract))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Result verifyBlocking(String token, Contract contract) {
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token);
        } catch (ParseException e) {
            LOG.debugf("JWT rejected: %s", e.getMessage());
            return new Rejected("the token is not valid (signature, issuer, audience or expiry)");
        }
        long issuedAt = jwt.getIssuedAtTime();
        if (issuedAt > Instant.now().getEpochSecond() + config.clockSkew().toSeconds()) {
            return new Rejected("the token was issued in the future (\"iat\" beyond the allowed clock skew)");
        }
        Claim agentId = text(jwt, config.agentClaim());
        if (!(agentId instanceof Claim.Text agentText) || agentText.value().isBlank()) {
            return new Rejected("the token has no \"" + config.agentClaim()
                    + "\" claim naming the agent (a non-empty string)");
        }
        AgentSpec agent = contract.agents().get(agentText.value());
        if (agent == null) {
            return new Rejected("the token's agent is not in the contract");
        }
        Claim tenant = text(jwt, config.tenantClaim());
        if (tenant instanceof Claim.Wrong) {
            return wrongType(config.tenantClaim(), "a string");
        }
        if (tenant instanceof Claim.Text t && !t.value().equals(agent.tenant())) {
            return new Rejected("the token's tenant is not the agent's tenant");
        }
        Claim workflow = text(jwt, config.workflowClaim());
        if (workflow instanceof Claim.Wrong) {
            return wrongType(config.workflowClaim(), "a string");
        }
        Optional<List<String>> claimed = strings(jwt, config.rolesClaim());
        if (claimed.isEmpty()) {
            return wrongType(config.rolesClaim(), "a string or a list of strings");
        }
        Claim run = text(jwt, config.runClaim());
        if (run instanceof Claim.Wrong || run instanceof Claim.Text r && !RunIds.valid(r.value())) {
            return wrongType(config.runClaim(), "a run id (" + RunIds.RULE + ")");
        }
        Set<String> roles = new TreeSet<>(agent.roles());
        roles.addAll(claimed.get());
        return new Verified(new Principal(agent.id(), agent.tenant(),
                workflow instanceof Claim.Text w ? w.value() : agent.workflow(), roles.stream().toList(),
                AuthMethod.JWT, run instanceof Claim.Text r ? Optional.of(r.value()) : Optional.empty()));
    }

    /** A claim as a string: absent, a string, or of another type (a number, a list, an object). */
    private sealed interface Claim {
        record Absent() implements Claim {
        }

        record Text(String value) implements Claim {
        }

        record Wrong() implements Claim {
        }
    }

    private static Claim text(JsonWebToken jwt, String name) {
        Object value = jwt.getClaim(name);
        if (value == null || value == JsonValue.NULL) {
            return new Claim.Absent();
        }
        if (value instanceof JsonString s) {
            return new Claim.Text(s.getString());
        }
        return value instanceof String s ? new Claim.Text(s) : new Claim.Wrong();
    }

    /** A claim of strings: absent (none), one string, or a list of strings; empty when it is anything else. */
    private static Optional<List<String>> strings(JsonWebToken jwt, String name) {
        Object value = jwt.getClaim(name);
        if (value instanceof JsonArray array) {
            List<String> values = new ArrayList<>();
            for (JsonValue element : array) {
                if (!(element instanceof JsonString s)) {
                    return Optional.empty();
                }
                values.add(s.getString());
            }
            return Optional.of(values);
        }
        if (value instanceof Collection<?> c) {
            return c.stream().allMatch(String.class::isInstance)
                    ? Optional.of(c.stream().map(String.class::cast).toList())
                    : Optional.empty();
        }
        return switch (text(jwt, name)) {
            case Claim.Absent a -> Optional.of(List.of());
            case Claim.Text t -> Optional.of(List.of(t.value()));
            case Claim.Wrong w -> Optional.empty();
        };
    }

    private static Rejected wrongType(String claim, String expected) {
        return new Rejected("the token's \"" + claim + "\" claim must be " + expected);
    }

    private static JWTAuthContextInfo context(ToolgateConfig.Jwt config, String jwks) {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setPublicKeyLocation(jwks.startsWith("http://") || jwks.startsWith("https://") || jwks.startsWith("file:")
                ? jwks
                : "file:" + java.nio.file.Path.of(jwks).toAbsolutePath());
        config.issuer().ifPresent(info::setIssuedBy);
        config.audience().ifPresent(aud -> info.setExpectedAudience(Set.of(aud)));
        info.setJwksRefreshInterval((int) Math.max(1, config.jwksRefresh().toMinutes()));
        int skew = (int) config.clockSkew().toSeconds();
        info.setClockSkew(skew);
        info.setExpGracePeriodSecs(skew);
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256, SignatureAlgorithm.RS384, SignatureAlgorithm.RS512,
                SignatureAlgorithm.ES256, SignatureAlgorithm.ES384, SignatureAlgorithm.ES512, SignatureAlgorithm.PS256,
                SignatureAlgorithm.PS384, SignatureAlgorithm.PS512, SignatureAlgorithm.EDDSA));
        return info;
    }
}
