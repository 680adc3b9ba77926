package dev.toolgate.contract;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.testing.GatewayResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Hot reload of the agent contract: a grant taken away in the file is refused from the next call on; a contract that
 * does not validate is refused (logged, counted, audited) and the last good one stays.
 */
@QuarkusTest
@TestProfile(ReloadIntervalProfile.class)
@WithTestResource(GatewayResource.class)
class ContractReloadGatewayTest {

    @ConfigProperty(name = "toolgate.contract")
    Path contract;

    @Inject
    MeterRegistry meters;

    private static Response refund() {
        return given().header("Authorization", "Bearer demo-support-key").contentType("application/json")
                .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":1000,\"tenant\":\"acme\"}")
                .post("/tools/payments/refunds");
    }

    private void install(String text) throws Exception {
        Path next = contract.resolveSibling("next.yaml");
        Files.writeString(next, text);
        Files.move(next, contract, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private double reloads(String outcome) {
        var counter = meters.find("toolgate.reloads").tags("what", "contract", "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static JsonNode lastReload() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(GatewayResource.auditFile());
        for (int i = lines.size() - 1; i >= 0; i--) {
            JsonNode record = json.readTree(lines.get(i));
            if ("reload".equals(record.path("type").asText())) {
                return record;
            }
        }
        throw new AssertionError("no reload record");
    }

    @Test
    void aChangedGrantAppliesToTheNextCallAndABadContractIsRefused() throws Exception {
        refund().then().statusCode(201);
        String original = Files.readString(contract);

        // when the support agent's refund grant is taken out of the file
        String withoutRefunds = original.replace("payments: [charges.get, refunds.create]", "payments: [charges.get]");
        assertTrue(!withoutRefunds.equals(original), "the contract template changed: update this test");
        install(withoutRefunds);

        // then its next refund is refused by the contract stage, and the reload is counted and audited
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> refund().statusCode() == 403);
        refund().then().statusCode(403).body("reason", equalTo("tool_not_granted"));
        assertEquals(1.0, reloads("loaded"));
        assertEquals("loaded", lastReload().path("outcome").asText());
        assertEquals("contract", lastReload().path("what").asText());

        // when a contract that does not validate replaces it
        install(withoutRefunds.replace("risk: high", "risk: extreme"));

        // then it is refused, naming the problem, and the last good contract keeps deciding
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> reloads("refused") >= 1);
        JsonNode refused = lastReload();
        assertEquals("refused", refused.path("outcome").asText());
        assertTrue(refused.path("detail").asText().contains("risk"), refused.toString());
        refund().then().statusCode(403).body("reason", equalTo("tool_not_granted"));
        given().header("Authorization", "Bearer demo-support-key").get("/tools/payments/charges/ch_1").then()
                .statusCode(200);
        given().header("Authorization", "Bearer admin-key").get("/admin/status").then().statusCode(200)
                .body("contract.last_refusal", org.hamcrest.Matchers.containsString("risk"));

        // when the original comes back, the grant does too
        install(original);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> refund().statusCode() == 201);
    }
}
