package dev.toolgate.identity;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import dev.toolgate.call.AgentSpec;
import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Principal;
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
        String agentId = stringClaim(jwt, config.agentClaim());
        if (agentId == null) {
            return new Rejected("the token has no \"" + config.agentClaim() + "\" claim naming the agent");
        }
        AgentSpec agent = contract.agents().get(agentId);
        if (agent == null) {
            return new Rejected("the token's agent is not in the contract");
        }
        String tenant = stringClaim(jwt, config.tenantClaim());
        if (tenant != null && !tenant.equals(agent.tenant())) {
            return new Rejected("the token's tenant is not the agent's tenant");
        }
        String workflow = stringClaim(jwt, config.workflowClaim());
        Set<String> roles = new TreeSet<>(agent.roles());
        roles.addAll(listClaim(jwt, config.rolesClaim()));
        return new Verified(new Principal(agent.id(), agent.tenant(), workflow != null ? workflow : agent.workflow(),
                roles.stream().toList(), AuthMethod.JWT));
    }

    private static String stringClaim(JsonWebToken jwt, String name) {
        Object value = jwt.getClaim(name);
        if (value instanceof JsonString s) {
            return s.getString();
        }
        return value instanceof String s ? s : null;
    }

    private static Collection<String> listClaim(JsonWebToken jwt, String name) {
        Object value = jwt.getClaim(name);
        if (value instanceof JsonArray array) {
            return array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
        }
        if (value instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        String single = stringClaim(jwt, name);
        return single == null ? Set.of() : Set.of(single);
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
