package dev.toolgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.toolgate.demo.SampleTools;
import dev.toolgate.testing.ToolgateProcess;
import io.vertx.core.Vertx;

/**
 * The README's promise, end to end: the demo (its contract, the bundled policy, the packaged application) answers the
 * README's calls, and replaying the audit log it wrote under the bundle that decided reproduces every decision.
 */
class DemoReplayIT {

    private static final String SUPPORT = "Bearer demo-support-key";
    private static final String RELEASE = "Bearer demo-deploy-key";

    private static int call(HttpClient http, URI base, String credential, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (credential != null) {
            request.header("Authorization", credential);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    @Timeout(180)
    void replayingTheDemosAuditLogUnderTheBundledPolicyReproducesEveryDecision() throws Exception {
        Vertx vertx = Vertx.vertx();
        Path dir = Path.of("target", "test-demo-replay", UUID.randomUUID().toString()).toAbsolutePath();
        Files.createDirectories(dir);
        try (SampleTools tools = SampleTools.start(vertx, 0, 0)) {
            // given the demo contract, its sample tools on ports of this test
            Path contract = dir.resolve("contract.yaml");
            Files.writeString(contract, Files.readString(Path.of("examples/demo/contract.yaml"))
                    .replace("http://127.0.0.1:9101", "http://127.0.0.1:" + tools.paymentsPort())
                    .replace("http://127.0.0.1:9102", "http://127.0.0.1:" + tools.deployPort()));
            Path audit = dir.resolve("demo-audit.jsonl");
            List<Integer> statuses = new ArrayList<>();
            try (ToolgateProcess demo = ToolgateProcess.start(Map.of("toolgate.contract", contract.toString(),
                    "toolgate.audit.path", audit.toString()), 0, dir.resolve("toolgate.log"))) {
                // when the README's calls are made, in one run
                HttpClient http = HttpClient.newHttpClient();
                URI base = demo.base();
                String[] run = { "Toolgate-Run-Id", "run-readme" };
                statuses.add(call(http, base, SUPPORT, "/tools/payments/refunds",
                        "{\"charge\":\"ch_1\",\"amount_usd_micros\":25000000,\"tenant\":\"acme\"}", run));
                statuses.add(call(http, base, SUPPORT, "/tools/payments/refunds",
                        "{\"charge\":\"ch_1\",\"amount_usd_micros\":75000000,\"tenant\":\"acme\","
                                + "\"customer_email\":\"ann@example.com\"}",
                        run));
                statuses.add(call(http, base, SUPPORT, "/tools/payments/refunds",
                        "{\"charge\":\"ch_1\",\"amount_usd_micros\":1000,\"tenant\":\"globex\"}", run));
                statuses.add(call(http, base, SUPPORT, "/tools/payments/refunds",
                        "{\"charge\":\"ch_1\",\"amount_usd_micros\":1500000000,\"tenant\":\"acme\"}", run));
                statuses.add(call(http, base, RELEASE, "/tools/deploy/deployments",
                        "{\"service\":\"api\",\"environment\":\"prod\"}", run));
                statuses.add(call(http, base, RELEASE, "/tools/deploy/deployments",
                        "{\"service\":\"api\",\"environment\":\"staging\"}", run));
                statuses.add(call(http, base, SUPPORT, "/tools/payments/refunds",
                        "{\"charge\":\"ch_1\",\"amount_usd_micros\":75000000,\"tenant\":\"acme\"}", "Toolgate-Mode",
                        "dry-run"));
                statuses.add(call(http, base, SUPPORT, "/tools/deploy/deployments",
                        "{\"service\":\"api\",\"environment\":\"staging\"}"));
                statuses.add(call(http, base, null, "/tools/payments/refunds", "{}"));
                demo.stop();
            }
            // (the policy decided the first seven; the last two were refused before it: not granted, unauthenticated;
            // the prod deployment is allowed inside the demo's change window only, Saturdays 02:00-04:00 UTC)
            assertTrue(statuses.get(4) == 403 || statuses.get(4) == 202, statuses.toString());
            statuses.set(4, 403);
            assertEquals(List.of(201, 403, 403, 403, 403, 202, 200, 403, 401), statuses);

            // then replaying the log under the bundle that decided changes nothing, and each decision was replayed
            ToolgateProcess.CliResult same = ToolgateProcess.cli("replay", "--audit", audit.toString(), "--bundle",
                    Opa.builtBundle().toString());
            assertEquals(0, same.exitCode(), same.output());
            assertTrue(same.output().contains("7 decisions replayed") && same.output().contains(": 0 changed"),
                    same.output());

            // and the run record of the README run holds its six calls
            ToolgateProcess.CliResult shown = ToolgateProcess.cli("runs", "show", "run-readme", "--audit",
                    audit.toString());
            assertEquals(0, shown.exitCode(), shown.output());
            assertTrue(shown.output().contains("\"calls\" : 6"), shown.output());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
