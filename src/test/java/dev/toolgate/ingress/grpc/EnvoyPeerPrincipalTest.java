package dev.toolgate.ingress.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * With {@code toolgate.envoy.trust-peer-principal}, the SPIFFE ID of the client certificate Envoy verified
 * ({@code source.principal}) identifies a request that has no {@code Authorization} header.
 */
@QuarkusTest
@WithTestResource(value = GatewayResource.class, initArgs = @ResourceArg(name = "envoy-peer", value = "trusted"))
class EnvoyPeerPrincipalTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEPLOYMENT = "{\"service\":\"api\",\"environment\":\"dev\"}";

    @GrpcClient("toolgate")
    Channel channel;

    @Test
    void aPeerSpiffeIdThatTheContractListsIsItsAgent() {
        CheckResponse answer = check(withPeer("spiffe://acme.test/ns/agents/sa/release-bot", Map.of()));

        assertTrue(answer.hasOkResponse(), answer.toString());
        String id = answer.getOkResponse().getHeadersList().stream()
                .filter(h -> h.getHeader().getKey().equals("toolgate-decision-id")).findFirst().orElseThrow()
                .getHeader().getValue();
        JsonNode intent = AuditRecords.await(id, 1).get(0);
        assertEquals("release-bot", intent.path("principal").path("agent").asText());
        assertEquals("spiffe", intent.path("principal").path("authenticated_by").asText());
    }

    @Test
    void aPeerSpiffeIdOfNoAgentAnotherTrustDomainOrNoSpiffeIdIsUnauthenticated() throws Exception {
        for (String principal : List.of("spiffe://acme.test/ns/agents/sa/unknown-bot",
                "spiffe://evil.test/ns/agents/sa/release-bot", "spiffe://acme.test/ns/agents/sa/release-bot/",
                "spiffe://acme.test/ns/agents/sa/../sa/release-bot", "CN=release-bot,O=acme",
                "release-bot")) {
            CheckResponse answer = check(withPeer(principal, Map.of()));
            assertTrue(answer.hasDeniedResponse(), principal);
            assertEquals(401, answer.getDeniedResponse().getStatus().getCodeValue(), principal);
            assertEquals("unauthenticated", JSON.readTree(answer.getDeniedResponse().getBody()).path("reason")
                    .asText(), principal);
        }
    }

    @Test
    void anAuthorizationHeaderStillComesFirst() throws Exception {
        // a support agent's key on a connection of the release bot's workload: the key decides, and it has no grant
        CheckResponse answer = check(withPeer("spiffe://acme.test/ns/agents/sa/release-bot",
                Map.of("authorization", "Bearer demo-support-key")));

        assertEquals(403, answer.getDeniedResponse().getStatus().getCodeValue());
        assertEquals("tool_not_granted", JSON.readTree(answer.getDeniedResponse().getBody()).path("reason").asText());
    }

    private static CheckRequest withPeer(String principal, Map<String, String> headers) {
        CheckRequest request = EnvoyAuthorizationTest.request("POST", "/tools/deploy/deployments", headers,
                DEPLOYMENT);
        return request.toBuilder().setAttributes(request.getAttributes().toBuilder()
                .setSource(AttributeContext.Peer.newBuilder().setPrincipal(principal))).build();
    }

    private CheckResponse check(CheckRequest request) {
        return AuthorizationGrpc.newBlockingStub(channel).check(request);
    }
}
