package dev.toolgate.policy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.testing.GatewayResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Hot reload of the policy bundle: a new bundle written over the file decides the next calls, each answer naming the
 * revision that decided it; a file that is no bundle is refused (logged, counted, audited) and the last good bundle
 * keeps deciding.
 */
@QuarkusTest
@TestProfile(ReloadProfile.class)
@WithTestResource(GatewayResource.class)
class PolicyReloadGatewayTest {

    @TempDir
    Path dir;

    @Inject
    MeterRegistry meters;

    private static Response refund(long amount) {
        return given().header("Authorization", "Bearer demo-support-key").contentType("application/json")
                .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":" + amount + ",\"tenant\":\"acme\"}")
                .post("/tools/payments/refunds");
    }

    /** Replaces the bundle file at once, as a deployment does (write elsewhere, then rename). */
    private static void install(Path bundle) throws Exception {
        Path next = ReloadProfile.BUNDLE.resolveSibling("next.tar.gz");
        Files.copy(bundle, next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, ReloadProfile.BUNDLE, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private double reloads(String outcome) {
        var counter = meters.find("toolgate.reloads").tags("what", "policy", "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static List<JsonNode> reloadRecords() throws Exception {
        ObjectMapper json = new ObjectMapper();
        return Files.readAllLines(GatewayResource.auditFile()).stream().map(line -> {
            try {
                return json.readTree(line);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).filter(r -> "reload".equals(r.path("type").asText())).toList();
    }

    @Test
    void aNewBundleDecidesTheNextCallsAndABadOneIsRefused() throws Exception {
        // given the bundled policy: a 20 USD refund runs unattended
        Response before = refund(20_000_000);
        before.then().statusCode(201);
        String first = before.header("Toolgate-Policy-Revision");

        // when a bundle with a 10 USD unattended limit replaces the file
        String rego = Files.readString(Path.of("policies/decision.rego"))
                .replace("unattended_refund_limit := 50000000", "unattended_refund_limit := 10000000");
        install(Opa.build(dir.resolve("candidate"), rego, "toolgate/decision"));

        // then the next calls are decided by it, and say so
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> refund(20_000_000).statusCode() == 403);
        Response after = refund(20_000_000);
        after.then().statusCode(403).body("reason", org.hamcrest.Matchers.equalTo("approval_required"));
        String second = after.header("Toolgate-Policy-Revision");
        assertNotEquals(first, second);
        assertEquals(1.0, reloads("loaded"));
        JsonNode loaded = reloadRecords().get(reloadRecords().size() - 1);
        assertEquals("loaded", loaded.path("outcome").asText());
        assertEquals(second, loaded.path("revision").asText());

        // when a file that is no bundle replaces it
        Path garbage = dir.resolve("garbage.tar.gz");
        Files.writeString(garbage, "not a bundle");
        install(garbage);

        // then it is refused, counted and audited, and the last good bundle keeps deciding
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> reloads("refused") >= 1);
        Response still = refund(20_000_000);
        still.then().statusCode(403);
        assertEquals(second, still.header("Toolgate-Policy-Revision"));
        JsonNode refused = reloadRecords().get(reloadRecords().size() - 1);
        assertEquals("refused", refused.path("outcome").asText());
        assertEquals(second, refused.path("revision").asText());
        assertTrue(refused.path("detail").asText().contains("not an opa bundle"), refused.toString());

        // and the admin status names the revision in force and the refusal
        given().header("Authorization", "Bearer admin-key").get("/admin/status").then().statusCode(200)
                .body("policy.revision", org.hamcrest.Matchers.equalTo(second))
                .body("policy.last_refusal", org.hamcrest.Matchers.containsString("not an opa bundle"))
                .body("policy.loaded_at", org.hamcrest.Matchers.notNullValue())
                .body("contract.revision", org.hamcrest.Matchers.notNullValue());
        given().header("Authorization", "Bearer demo-support-key").get("/admin/status").then().statusCode(403)
                .body("reason", org.hamcrest.Matchers.equalTo("tool_not_granted"));
    }
}
