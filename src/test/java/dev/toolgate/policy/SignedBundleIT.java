package dev.toolgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.toolgate.testing.ProcessWorld;
import dev.toolgate.testing.ToolgateProcess;

/**
 * The packaged application with {@code toolgate.policy.verification-key}: it will not start on an unsigned bundle,
 * and it starts and decides on a bundle {@code opa build --signing-key} signed with the matching key.
 */
class SignedBundleIT {

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    @Test
    @Timeout(180)
    void startsOnlyOnABundleSignedByTheConfiguredKey() throws Exception {
        try (ProcessWorld world = ProcessWorld.start("signed-bundle")) {
            Path dir = world.log().getParent();
            Path key = dir.resolve("signing.pem");
            Path pub = dir.resolve("signing.pub.pem");
            run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
            run("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
            Path src = Files.createDirectories(dir.resolve("policy"));
            Files.copy(Path.of("policies/decision.rego"), src.resolve("decision.rego"));
            Path signed = dir.resolve("signed.tar.gz");
            Opa.run(List.of("build", "-b", "-t", "wasm", "-e", "toolgate/decision", "--signing-key", key.toString(),
                    "-o", signed.toString(), src.toString()), "");

            // given a verification key, the bundled (unsigned) policy is refused at start, naming why
            Map<String, String> config = new HashMap<>(world.config());
            config.put("toolgate.policy.verification-key", pub.toString());
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> ToolgateProcess.start(config, 0, world.log("unsigned")));
            assertTrue(refused.getMessage().contains("is not signed"), refused.getMessage());

            // and the bundle signed with its private key is loaded and decides
            config.put("toolgate.policy.bundle", signed.toString());
            try (ToolgateProcess toolgate = ToolgateProcess.start(config, 0, world.log("signed"))) {
                HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        toolgate.base().resolve("/tools/payments/refunds"))
                        .header("Authorization", "Bearer demo-support-key").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"charge\":\"ch_1\",\"amount_usd_micros\":1000,\"tenant\":\"globex\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, answer.statusCode(), answer.body());
                assertTrue(answer.body().contains("policy_denied"), answer.body());
            }
        }
    }
}
