package dev.toolgate.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.toolgate.ingress.http.RawHttp;
import dev.toolgate.testing.BadBodies;
import dev.toolgate.testing.LimitsResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The kill-switch admin API reads its body as strictly as every other API. */
@QuarkusTest
@WithTestResource(value = LimitsResource.class, initArgs = @ResourceArg(name = "store", value = "embedded"))
class AdminStrictBodiesTest {

    @Test
    void refusesEveryBadBodyWithAProblem() {
        for (BadBodies.BadBody bad : BadBodies.of("{\"reason\":\"runaway export loop\"}")) {
            RawHttp.Answer answer = RawHttp.send("PUT", "/admin/kill-switches/workflow/strict-bodies",
                    LimitsGatewayTest.ADMIN, bad.contentType(), bad.bytes());
            assertEquals(bad.status(), answer.status(), bad + ": " + answer.body());
            assertTrue(answer.contentType().startsWith("application/problem+json"), bad + ": " + answer.headers());
            assertTrue(answer.body().contains("\"reason\":\"" + bad.reason() + "\""), bad + ": " + answer.body());
            assertTrue(answer.decisionId() != null && answer.body().contains(answer.decisionId()), bad.toString());
        }
        // a good body still engages it
        RawHttp.Answer good = RawHttp.send("PUT", "/admin/kill-switches/workflow/strict-bodies", LimitsGatewayTest.ADMIN,
                "application/json", "{\"reason\":\"drill\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(200, good.status(), good.body());
        assertEquals(200, RawHttp.send("DELETE", "/admin/kill-switches/workflow/strict-bodies", LimitsGatewayTest.ADMIN,
                null, new byte[0]).status());
    }
}
