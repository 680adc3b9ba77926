package dev.toolgate.policy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.testing.AuditRecords;
import dev.toolgate.testing.Cli;
import dev.toolgate.testing.Cli.Run;
import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * {@code toolgate replay}: real calls decided by the bundled policy, recorded by the gateway, decided again offline
 * under the same bundle (nothing changes) and under a candidate compiled by the real {@code opa} that lowers the
 * unattended refund limit (exactly the refunds between the two limits change).
 */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class ReplayGatewayTest {

    private static final String SUPPORT = "Bearer demo-support-key";
    private static final String RELEASE = "Bearer demo-deploy-key";

    @TempDir
    Path dir;

    private static Run replay(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "replay";
        System.arraycopy(args, 0, argv, 1, args.length);
        return Cli.run(argv);
    }

    private static Response call(String credential, String run, String path, String json) {
        return given().header("Authorization", credential).header("Toolgate-Run-Id", run)
                .contentType("application/json").body(json).post(path);
    }

    private static String refund(long amount, String tenant) {
        return "{\"charge\":\"ch_1\",\"amount_usd_micros\":" + amount + ",\"tenant\":\"" + tenant + "\"}";
    }

    private static String id(Response response) {
        return response.header("Toolgate-Decision-Id");
    }

    @Test
    void aCandidateBundleChangesExactlyTheDecisionsItShould() throws Exception {
        // given six calls of one run, decided by the bundled policy (unattended refunds up to 50 USD)
        String run = "replay-" + UUID.randomUUID();
        String small = id(call(SUPPORT, run, "/tools/payments/refunds", refund(5_000_000, "acme")));
        String middle = id(call(SUPPORT, run, "/tools/payments/refunds", refund(20_000_000, "acme")));
        String withEmail = id(call(SUPPORT, run, "/tools/payments/refunds", "{\"charge\":\"ch_2\","
                + "\"amount_usd_micros\":40000000,\"tenant\":\"acme\",\"customer_email\":\"jo@example.com\"}"));
        String large = id(call(SUPPORT, run, "/tools/payments/refunds", refund(60_000_000, "acme")));
        String otherTenant = id(call(SUPPORT, run, "/tools/payments/refunds", refund(1_000, "globex")));
        String deploy = id(call(RELEASE, run, "/tools/deploy/deployments",
                "{\"service\":\"api\",\"environment\":\"staging\"}"));
        AuditRecords.await(small, 2);
        AuditRecords.await(middle, 2);
        AuditRecords.await(withEmail, 2);
        AuditRecords.await(deploy, 2);
        Path log = GatewayResource.auditFile();
        assertEquals("denied", AuditRecords.denied(large).path("type").asText());
        assertEquals("denied", AuditRecords.denied(otherTenant).path("type").asText());

        // then the record keeps the input, the redacted e-mail as a keyed hash only
        JsonNode intent = AuditRecords.of(withEmail).get(0);
        JsonNode kept = intent.path("input").path("call").path("args").path("customer_email");
        assertTrue(kept.asText().startsWith("hmac-sha256:"), intent.toString());
        assertFalse(Files.readString(log).contains("jo@example.com"), "the raw value is nowhere in the log");
        assertEquals(false, intent.path("policy").path("allow").isMissingNode());

        // when the run is replayed under the bundle that decided it, nothing changes
        Run same = replay("--audit", log.toString(), "--bundle", Opa.builtBundle().toString(), "--run", run);
        assertEquals(0, same.status(), same.out() + same.err());
        assertTrue(same.out().contains("6 decisions replayed"), same.out());
        assertTrue(same.out().contains(": 0 changed"), same.out());

        // when it is replayed under a candidate with a 10 USD unattended limit
        String rego = Files.readString(Path.of("policies/decision.rego"))
                .replace("unattended_refund_limit := 50000000", "unattended_refund_limit := 10000000");
        Path candidate = Opa.build(dir, rego, "toolgate/decision");
        Run changed = replay("--audit", log.toString(), "--bundle", candidate.toString(), "--run", run);

        // then exactly the two refunds between 10 and 50 USD are reported, and the status says so
        assertEquals(1, changed.status(), changed.out() + changed.err());
        List<String> lines = changed.out().lines().filter(l -> l.startsWith("CHANGED")).toList();
        assertEquals(2, lines.size(), changed.out());
        assertTrue(lines.get(0).contains(middle) && lines.get(0).contains("allow -> allow (approval required)"),
                lines.get(0));
        assertTrue(lines.get(1).contains(withEmail), lines.get(1));
        assertTrue(lines.get(0).contains("agent support-bot, tenant acme, run " + run), lines.get(0));
        assertTrue(changed.out().contains("6 decisions replayed"), changed.out());
        assertTrue(changed.out().contains(": 2 changed"), changed.out());
    }

    @Test
    void aMissingBundleOrABadTimeIsAUsageFailureNotAVerdict() {
        Path log = GatewayResource.auditFile();
        Run missing = replay("--audit", log.toString(), "--bundle", dir.resolve("none.tar.gz").toString());
        assertEquals(2, missing.status(), missing.out());
        assertFalse(missing.err().isBlank());
        Run badTime = replay("--audit", log.toString(), "--bundle", Opa.builtBundle().toString(), "--since",
                "yesterday");
        assertEquals(2, badTime.status());
        assertTrue(badTime.err().contains("--since"), badTime.err());
    }
}
