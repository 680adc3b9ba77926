package dev.toolgate.ingress.http;

import static dev.toolgate.ingress.http.Calls.SUPPORT;
import static dev.toolgate.ingress.http.Calls.id;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.toolgate.demo.SampleTools;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * What the tool receives is what was decided: an allow-list of the agent's headers (never a proxy, forwarding,
 * override or identity assertion header), and the path and query re-encoded from the values that were checked.
 */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class ForwardedRequestTest {

    /** Headers a tool behind toolgate might trust, each with a value that would steer it. */
    private static final Map<String, String> HOSTILE = Map.ofEntries(
            Map.entry("Forwarded", "for=10.0.0.1;host=admin.internal"),
            Map.entry("X-Forwarded-For", "10.0.0.1"),
            Map.entry("X-Forwarded-Host", "admin.internal"),
            Map.entry("X-Forwarded-Proto", "https"),
            Map.entry("X-Forwarded-Prefix", "/admin"),
            Map.entry("X-Real-IP", "10.0.0.1"),
            Map.entry("True-Client-IP", "10.0.0.1"),
            Map.entry("X-HTTP-Method-Override", "DELETE"),
            Map.entry("X-Method-Override", "DELETE"),
            Map.entry("X-Original-URL", "/admin/users"),
            Map.entry("X-Rewrite-URL", "/admin/users"),
            Map.entry("X-Auth-Request-User", "admin"),
            Map.entry("X-Auth-Request-Email", "admin@acme.test"),
            Map.entry("X-Forwarded-Access-Token", "eyJhbGciOiJub25lIn0.e30."),
            Map.entry("X-Api-Key", "stolen"),
            Map.entry("Proxy-Authorization", "Basic YWRtaW46YWRtaW4="),
            Map.entry("X-Tenant", "globex"));

    private static SampleTools.Received received(Response response) {
        return GatewayResource.tools().received().stream()
                .filter(r -> id(response).equals(r.headers().get("toolgate-decision-id"))).findFirst().orElseThrow();
    }

    @Test
    void sendsOnlyTheAllowedHeadersOfTheAgent() {
        RequestSpecification request = given().header("Authorization", SUPPORT).header("Accept", "application/json")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .header("X-Request-Note", "declared by the contract");
        for (Map.Entry<String, String> hostile : HOSTILE.entrySet()) {
            request = request.header(hostile.getKey(), hostile.getValue());
        }
        Response response = request.get("/tools/payments/charges/ch_1");
        response.then().statusCode(200);

        Map<String, String> headers = received(response).headers();
        for (String hostile : HOSTILE.keySet()) {
            assertNull(headers.get(hostile.toLowerCase(java.util.Locale.ROOT)), hostile + " reached the tool");
        }
        assertEquals("application/json", headers.get("accept"));
        assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", headers.get("traceparent"));
        assertEquals("declared by the contract", headers.get("x-request-note"));
        // toolgate says nothing of the caller unless configured to (toolgate.http.forwarded)
        assertTrue(headers.keySet().stream().noneMatch(h -> h.startsWith("x-forwarded") || h.equals("forwarded")),
                headers.toString());
    }

    @Test
    void sendsThePathAndQueryAsTheyWereChecked() {
        // an encoded letter, and a query value with a space, an ampersand and a plus
        Response response = given().header("Authorization", SUPPORT).urlEncodingEnabled(false)
                .get("/tools/payments/charges/%63h_1?expand=a%20b%26c%2Bd");
        response.then().statusCode(200);

        SampleTools.Received received = received(response);
        assertEquals("/charges/ch_1", received.path(), "the path re-encoded from its decoded segments");
        assertEquals("expand=a%20b%26c%2Bd", received.query(), "each value escaped one way only");
    }
}
