package dev.toolgate.identity;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.AgentSpec;
import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.Stage;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.Stages;
import io.smallrye.mutiny.Uni;

/**
 * Who is acting. The credential comes from {@code Authorization: Bearer …} only (the ingress copies nothing else into
 * {@link ToolCall#credential()}): a JWT when JWT verification is configured and the token has the JWT shape, an API key
 * otherwise. API keys are compared by their SHA-256 against the digests in the contract. Without an
 * {@code Authorization} header, a peer SPIFFE ID that the transport proved ({@link dev.toolgate.call.Secret#peer()}) is
 * the agent whose {@code spiffe_ids} list it; one no agent lists is not an identity.
 */
@ApplicationScoped
public class IdentityStage implements Stage {

    private static final String BEARER = "bearer ";

    private final JwtVerifier jwt;
    /** API key digest → agent and SPIFFE ID → agent, rebuilt when the contract changes. */
    private final AtomicReference<KeyIndex> keys = new AtomicReference<>(new KeyIndex(null, Map.of(), Map.of()));

    IdentityStage(JwtVerifier jwt) {
        this.jwt = jwt;
    }

    private record KeyIndex(Contract contract, Map<String, AgentSpec> byDigest, Map<String, AgentSpec> bySpiffeId) {
    }

    @Override
    public int position() {
        return Stages.IDENTIFY;
    }

    @Override
    public String name() {
        return "identify";
    }

    @Override
    public Uni<StageResult> apply(ToolCall call, CallContext ctx) {
        String header = call.credential().value().strip();
        if (header.isEmpty() && !call.credential().peer().isEmpty()) {
            return Uni.createFrom().item(peer(call, call.credential().peer(), ctx.contract()));
        }
        if (header.isEmpty()) {
            return deny("no credential: send Authorization: Bearer <API key or JWT>");
        }
        if (header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return deny("the Authorization scheme must be Bearer");
        }
        String token = header.substring(BEARER.length()).strip();
        if (jwt.enabled() && JwtVerifier.looksLikeJwt(token)) {
            return jwt.verify(token, ctx.contract()).map(result -> switch (result) {
                case JwtVerifier.Verified v -> StageResult.next(call.withPrincipal(v.principal()));
                case JwtVerifier.Rejected r -> StageResult.deny(Denial.of(Reason.UNAUTHENTICATED, r.why()));
            });
        }
        return Uni.createFrom().item(apiKey(call, token, ctx.contract()));
    }

    private StageResult peer(ToolCall call, String spiffeId, Contract contract) {
        AgentSpec agent = index(contract).bySpiffeId().get(spiffeId);
        if (agent == null) {
            return StageResult.deny(Denial.of(Reason.UNAUTHENTICATED, "the peer's SPIFFE ID is no agent's"));
        }
        return StageResult.next(call.withPrincipal(
                new Principal(agent.id(), agent.tenant(), agent.workflow(), agent.roles(), AuthMethod.SPIFFE)));
    }

    private StageResult apiKey(ToolCall call, String key, Contract contract) {
        AgentSpec agent = index(contract).byDigest().get(CanonicalJson.sha256Hex(key.getBytes(StandardCharsets.UTF_8)));
        if (agent == null) {
            return StageResult.deny(Denial.of(Reason.UNAUTHENTICATED, "the credential is not valid"));
        }
        return StageResult.next(call.withPrincipal(
                new Principal(agent.id(), agent.tenant(), agent.workflow(), agent.roles(), AuthMethod.API_KEY)));
    }

    private KeyIndex index(Contract contract) {
        KeyIndex current = keys.get();
        if (current.contract() == contract) {
            return current;
        }
        Map<String, AgentSpec> byDigest = new HashMap<>();
        Map<String, AgentSpec> bySpiffeId = new HashMap<>();
        for (AgentSpec agent : contract.agents().values()) {
            for (String digest : agent.apiKeySha256()) {
                byDigest.put(digest.startsWith("sha256:") ? digest.substring("sha256:".length()) : digest, agent);
            }
            agent.spiffeIds().forEach(id -> bySpiffeId.put(id, agent));
        }
        KeyIndex next = new KeyIndex(contract, Map.copyOf(byDigest), Map.copyOf(bySpiffeId));
        keys.set(next);
        return next;
    }

    private static Uni<StageResult> deny(String why) {
        return Uni.createFrom().item(StageResult.deny(Denial.of(Reason.UNAUTHENTICATED, why)));
    }
}
