package dev.toolgate.audit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.toolgate.audit.AuditVerifier.Options;
import dev.toolgate.audit.AuditVerifier.Verification;
import dev.toolgate.testing.AuditSurvivesResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The running gateway configured through {@code toolgate.audit.*} with rotation, signed checkpoints and both copies:
 * its calls end up in a rotated set that verifies with the public key, and the copies hold its durable lines.
 */
@QuarkusTest
@WithTestResource(AuditSurvivesResource.class)
class AuditSurvivesGatewayTest {

    private static final String SUPPORT = "Bearer demo-support-key";

    @Test
    void callsEndUpInARotatedSignedLogAndItsCopies() throws Exception {
        // when a dozen allowed calls go through
        for (int i = 0; i < 12; i++) {
            given().header("Authorization", SUPPORT).contentType("application/json")
                    .body("{\"charge\":\"ch_" + i + "\",\"amount_usd_micros\":1000,\"tenant\":\"acme\"}")
                    .post("/tools/payments/refunds").then().statusCode(201);
        }

        // then their records were rotated into several files that verify, with the key, as one log
        Path log = AuditSurvivesResource.log();
        List<Path> files = AuditFiles.list(log);
        assertTrue(files.size() > 2, files.toString());
        Verification verification = AuditVerifier.verify(files, new Options(List.of(CheckpointSignatures
                .readPublicKey(AuditSurvivesResource.keys().publicPem())), Optional.empty(), false));
        assertTrue(verification.ok(), verification.message());
        assertTrue(verification.checkpoints() >= 6, verification.message());

        // and the export holds every line of them, the checkpoint file every checkpoint line (the outcome of the
        // last call may wait up to 50 ms for its fsync, and the copies for it)
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertArrayEquals(AuditSets.concat(
                AuditFiles.list(log)), Files.readAllBytes(AuditSurvivesResource.export())));
        List<String> checkpointLines = new ArrayList<>();
        for (String line : AuditSets.lines(AuditFiles.list(log))) {
            if (AuditSets.type(line).equals("checkpoint")) {
                checkpointLines.add(line);
            }
        }
        assertEquals(checkpointLines, AuditFixtures.lines(AuditSurvivesResource.checkpoints()));
        Verification against = AuditVerifier.verify(AuditFiles.list(log), new Options(List.of(), Optional.of(
                AuditSurvivesResource.export()), false));
        assertTrue(against.ok(), against.message());
    }
}
