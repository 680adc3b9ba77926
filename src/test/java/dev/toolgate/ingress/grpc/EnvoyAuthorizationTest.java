package dev.toolgate.ingress.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.GatewayResource;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Envoy's external authorization API, driven with the {@code CheckRequest} shapes Envoy sends (with and without the
 * body, raw header maps, a peer certificate principal, identity headers a client made up): the answers Envoy acts on,
 * the audit records, and that toolgate itself never calls the tool.
 */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class EnvoyAuthorizationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEPLOY = "Bearer demo-deploy-key";

    @GrpcClient("toolgate")
    Channel channel;

    @BeforeEach
    void clear() {
        GatewayResource.tools().clear();
    }

    @Test
    void allowsACallTheStagesAllowAndTellsEnvoyWhatToAddAndRemove() throws Exception {
        // when Envoy asks about a deployment, with the body (with_request_body)
        CheckResponse answer = check(request("POST", "/tools/deploy/deployments",
                Map.of("authorization", DEPLOY, "content-type", "application/json", "toolgate-run-id", "run-envoy-1"),
                "{\"service\":\"api\",\"environment\":\"staging\"}"));

        // then it may forward it, with the decision's headers and without the credential or toolgate's headers
        assertEquals(Status.Code.OK.value(), answer.getStatus().getCode());
        assertTrue(answer.hasOkResponse());
        Map<String, String> added = added(answer.getOkResponse().getHeadersList());
        String id = added.get("toolgate-decision-id");
        assertFalse(added.get("toolgate-policy-revision").isEmpty());
        assertTrue(answer.getOkResponse().getHeadersToRemoveList().containsAll(
                List.of("authorization", "toolgate-run-id", "toolgate-mode", "toolgate-approval")));

        // and the call is recorded, its outcome handed to Envoy, and toolgate sent the tool nothing itself
        List<JsonNode> records = AuditRecords.await(id, 2);
        assertEquals("intent", records.get(0).path("type").asText());
        assertEquals("deployments.create", records.get(0).path("action").asText());
        assertEquals("run-envoy-1", records.get(0).path("run_id").asText());
        assertEquals("handed_to_envoy", records.get(1).path("status").asText());
        assertEquals(List.of(), GatewayResource.tools().received());
    }

    @Test
    void decidesOnTheArgumentsInTheBodyAndRefusesWhatTheSchemaRefuses() throws Exception {
        // a request without its body (Envoy not configured to send it) has no arguments to allow
        CheckResponse noBody = check(request("POST", "/tools/deploy/deployments", Map.of("authorization", DEPLOY),
                ""));
        assertDenied(noBody, 400, "invalid_arguments", Status.Code.INVALID_ARGUMENT);

        // a body the policy denies: prod outside the change window
        CheckResponse prod = check(request("POST", "/tools/deploy/deployments", Map.of("authorization", DEPLOY),
                "{\"service\":\"api\",\"environment\":\"prod\"}"));
        assertDenied(prod, 403, "policy_denied", Status.Code.PERMISSION_DENIED);

        // a body Envoy cut short (allow_partial_message) is never decided in part
        CheckResponse partial = check(request("POST", "/tools/deploy/deployments", Map.of("authorization", DEPLOY,
                "x-envoy-auth-partial-body", "true"), "{\"service\":\"api\",\"environment\":\"sta"));
        assertDenied(partial, 413, "payload_too_large", Status.Code.RESOURCE_EXHAUSTED);
        assertEquals(List.of(), GatewayResource.tools().received());
    }

    @Test
    void takesTheIdentityFromTheAuthorizationHeaderOnlyNeverFromOthersOrThePeerPrincipal() throws Exception {
        // given no Authorization, but headers and a peer principal naming an agent that may deploy
        CheckRequest spoofed = request("POST", "/tools/deploy/deployments", Map.of(
                "x-toolgate-agent", "release-bot", "x-forwarded-client-cert",
                "By=spiffe://acme/toolgate;URI=spiffe://acme/release-bot", "x-spiffe-id", "spiffe://acme/release-bot",
                "toolgate-agent", "release-bot"), "{\"service\":\"api\",\"environment\":\"dev\"}");
        spoofed = spoofed.toBuilder().setAttributes(spoofed.getAttributes().toBuilder()
                .setSource(AttributeContext.Peer.newBuilder().setPrincipal("spiffe://acme/release-bot")
                        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
                                .setAddress("10.0.0.7").setPortValue(41234)))))
                .build();

        // then it is unauthenticated
        CheckResponse answer = check(spoofed);
        assertDenied(answer, 401, "unauthenticated", Status.Code.UNAUTHENTICATED);
        assertEquals("Bearer realm=\"toolgate\"", added(answer.getDeniedResponse().getHeadersList())
                .get("www-authenticate"));
    }

    @Test
    void refusesTwoCredentialsInARawHeaderMap() throws Exception {
        CheckRequest two = request("GET", "/tools/payments/charges/ch_1", Map.of(), "");
        AttributeContext.HttpRequest http = two.getAttributes().getRequest().getHttp().toBuilder().clearHeaders()
                .setHeaderMap(HeaderMap.newBuilder()
                        .addHeaders(HeaderValue.newBuilder().setKey("authorization")
                                .setRawValue(ByteString.copyFromUtf8("Bearer demo-support-key")))
                        .addHeaders(HeaderValue.newBuilder().setKey("authorization")
                                .setRawValue(ByteString.copyFromUtf8(DEPLOY))))
                .build();
        CheckResponse answer = check(two.toBuilder().setAttributes(two.getAttributes().toBuilder()
                .setRequest(AttributeContext.Request.newBuilder().setHttp(http))).build());
        assertDenied(answer, 401, "unauthenticated", Status.Code.UNAUTHENTICATED);
    }

    @Test
    void namesTheToolByTheRoutesContextExtensionOrThePath() throws Exception {
        // a route that names its tool (Envoy's per-route check_settings.context_extensions)
        CheckRequest named = request("GET", "/charges/ch_1", Map.of("authorization", "Bearer demo-support-key"), "");
        named = named.toBuilder().setAttributes(named.getAttributes().toBuilder()
                .putContextExtensions("toolgate_tool", "payments")).build();
        CheckResponse allowed = check(named);
        assertTrue(allowed.hasOkResponse(), allowed.toString());

        // a path under /tools/ names it, with its query
        assertTrue(check(request("GET", "/tools/payments/charges/ch_2?expand=refunds",
                Map.of("authorization", "Bearer demo-support-key"), "")).hasOkResponse());

        // a path that names none
        assertDenied(check(request("GET", "/charges/ch_1", Map.of("authorization", "Bearer demo-support-key"), "")),
                404, "not_found", Status.Code.UNIMPLEMENTED);
        // a tool the agent has no grant for
        assertDenied(check(request("POST", "/tools/deploy/deployments", Map.of("authorization",
                "Bearer demo-support-key"), "{\"service\":\"api\",\"environment\":\"dev\"}")), 403, "tool_not_granted",
                Status.Code.PERMISSION_DENIED);
        assertEquals(List.of(), GatewayResource.tools().received());
    }

    @Test
    void aDryRunIsAnsweredByEnvoyWithTheProposalAndNeverForwarded() throws Exception {
        CheckResponse answer = check(request("POST", "/tools/deploy/deployments", Map.of("authorization", DEPLOY,
                "toolgate-mode", "dry-run"), "{\"service\":\"api\",\"environment\":\"staging\"}"));

        assertTrue(answer.hasDeniedResponse(), "Envoy must not forward a dry run");
        assertEquals(200, answer.getDeniedResponse().getStatus().getCodeValue());
        JsonNode proposal = JSON.readTree(answer.getDeniedResponse().getBody());
        assertEquals("dry-run", proposal.path("mode").asText());
        assertEquals("allow", proposal.path("decision").asText());
        assertTrue(proposal.path("would_forward").asBoolean());
    }

    @Test
    void aRepeatedIdempotencyKeyIsNeverForwardedTwice() throws Exception {
        Map<String, String> headers = Map.of("authorization", DEPLOY, "idempotency-key", "envoy-" + System.nanoTime());
        String body = "{\"service\":\"api\",\"environment\":\"dev\"}";

        assertTrue(check(request("POST", "/tools/deploy/deployments", headers, body)).hasOkResponse());
        CheckResponse again = check(request("POST", "/tools/deploy/deployments", headers, body));

        assertDenied(again, 409, "idempotency_conflict", Status.Code.ABORTED);
    }

    private void assertDenied(CheckResponse answer, int status, String reason, Status.Code code) throws Exception {
        assertTrue(answer.hasDeniedResponse(), answer.toString());
        assertEquals(code.value(), answer.getStatus().getCode(), answer.toString());
        assertEquals(status, answer.getDeniedResponse().getStatus().getCodeValue(), answer.toString());
        Map<String, String> headers = added(answer.getDeniedResponse().getHeadersList());
        assertEquals("application/problem+json", headers.get("content-type"));
        JsonNode problem = JSON.readTree(answer.getDeniedResponse().getBody());
        assertEquals(reason, problem.path("reason").asText(), problem.toString());
        assertEquals(headers.get("toolgate-decision-id"), problem.path("decision_id").asText());
    }

    private CheckResponse check(CheckRequest request) {
        return AuthorizationGrpc.newBlockingStub(channel).check(request);
    }

    /** A check as Envoy's ext_authz filter sends it: the HTTP request's attributes, headers in lower case. */
    static CheckRequest request(String method, String path, Map<String, String> headers, String body) {
        AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder()
                .setId("envoy-request-1").setMethod(method).setPath(path).setHost("toolgate.example")
                .setScheme("http").setProtocol("HTTP/1.1").putAllHeaders(headers)
                .putHeaders(":method", method).putHeaders(":path", path).putHeaders(":authority", "toolgate.example");
        if (!body.isEmpty()) {
            http.setBody(body).setSize(body.length());
        }
        return CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
                .setRequest(AttributeContext.Request.newBuilder().setHttp(http))
                .setDestination(AttributeContext.Peer.newBuilder().setAddress(Address.newBuilder()
                        .setSocketAddress(SocketAddress.newBuilder().setAddress("10.0.0.2").setPortValue(8080)))))
                .build();
    }

    private static Map<String, String> added(List<HeaderValueOption> headers) {
        return headers.stream().collect(Collectors.toMap(h -> h.getHeader().getKey(), h -> h.getHeader().getValue(),
                (a, b) -> a + ", " + b));
    }
}
