package dev.toolgate.ingress.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * {@code examples/envoy/} as toolgate reads what it configures: no Envoy binary can be had on these machines, so the
 * configuration is held to what toolgate's external authorization expects (the fields it relies on, its port, its
 * context extension); the requests Envoy sends are exercised by {@link EnvoyAuthorizationTest}.
 */
class EnvoyExamplesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theEnvoyConfigurationSendsWholeBodiesEveryHeaderValueAndFailsClosed() throws Exception {
        JsonNode envoy = YAML.readTree(Path.of("examples/envoy/envoy.yaml").toFile());
        JsonNode manager = envoy.at("/static_resources/listeners/0/filter_chains/0/filters/0/typed_config");
        JsonNode extAuthz = manager.at("/http_filters/0");

        assertEquals("envoy.filters.http.ext_authz", extAuthz.path("name").asText());
        JsonNode config = extAuthz.path("typed_config");
        assertEquals("V3", config.path("transport_api_version").asText());
        assertFalse(config.path("failure_mode_allow").asBoolean(true));
        assertFalse(config.at("/with_request_body/allow_partial_message").asBoolean(true));
        assertTrue(config.path("encode_raw_headers").asBoolean());
        assertTrue(manager.path("normalize_path").asBoolean());
        assertEquals("toolgate", config.at("/grpc_service/envoy_grpc/cluster_name").asText());

        JsonNode toolgate = null;
        for (JsonNode cluster : envoy.at("/static_resources/clusters")) {
            if (cluster.path("name").asText().equals("toolgate")) {
                toolgate = cluster;
            }
        }
        assertEquals(9000, toolgate.at("/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/port_value")
                .asInt());
        boolean named = false;
        for (JsonNode route : manager.at("/route_config/virtual_hosts/0/routes")) {
            JsonNode extensions = route.at("/typed_per_filter_config/envoy.filters.http.ext_authz/check_settings"
                    + "/context_extensions");
            if (extensions.isObject()) {
                assertTrue(extensions.has(EnvoyAuthorization.TOOL_EXTENSION), extensions.toString());
                named = true;
            } else {
                assertTrue(route.at("/match/prefix").asText().startsWith(EnvoyAuthorization.TOOLS_PREFIX),
                        route.toString());
            }
        }
        assertTrue(named, "one route names its tool");
    }

    @Test
    void theIstioPolicySendsTheToolsRequestsToToolgate() throws Exception {
        JsonNode policy = YAML.readTree(Path.of("examples/envoy/istio.yaml").toFile());

        assertEquals("AuthorizationPolicy", policy.path("kind").asText());
        assertEquals("CUSTOM", policy.at("/spec/action").asText());
        assertEquals("toolgate", policy.at("/spec/provider/name").asText());
    }
}
