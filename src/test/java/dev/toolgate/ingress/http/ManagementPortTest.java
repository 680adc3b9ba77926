package dev.toolgate.ingress.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.URL;

import org.junit.jupiter.api.Test;

import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Health and metrics live on the management interface: an agent on the gateway's port reaches neither. */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class ManagementPortTest {

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @TestHTTPResource(value = "/health", management = true)
    URL health;

    @TestHTTPResource("/q/metrics")
    URL agentsMetrics;

    @Test
    void servesHealthAndMetricsOnTheManagementPortOnly() {
        assertNotEquals(agentsMetrics.getPort(), metrics.getPort(), "the management interface has a port of its own");
        assertEquals("/q/metrics", metrics.getPath(), metrics.toString());
        given().get(health.toString()).then().statusCode(200).body(containsString("UP"));
        given().get(metrics.toString()).then().statusCode(200).body(containsString("toolgate_"));

        given().get(agentsMetrics.toString()).then().statusCode(404);
        given().get(agentsMetrics.toString().replace("/q/metrics", "/q/health")).then().statusCode(404);
    }
}
