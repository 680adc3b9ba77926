package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.lines;
import static dev.toolgate.audit.AuditFixtures.records;
import static dev.toolgate.audit.AuditFixtures.sha256;
import static dev.toolgate.audit.AuditFixtures.writeLines;
import static dev.toolgate.audit.AuditSets.intents;
import static dev.toolgate.audit.AuditSets.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.audit.AuditVerifier.Options;
import dev.toolgate.audit.AuditVerifier.Verification;

/** Signed checkpoints: when the writer adds them, and what a verifier with the public key finds. */
class AuditCheckpointTest {

    @TempDir
    Path dir;
    private AuditKeys keys;

    @BeforeEach
    void makeAKey() {
        keys = AuditKeys.generate(dir, "audit-key");
    }

    private Path file() {
        return dir.resolve("audit.jsonl");
    }

    private AuditSettings everyThree() {
        return AuditSettings.of(file(), 8).withCheckpoints(keys.checkpointKey("audit-2026"), 3, Duration.ofHours(1),
                Optional.empty());
    }

    private Verification verifyWith(AuditKeys key) {
        return AuditVerifier.verify(AuditFiles.list(file()), new Options(List.of(
                CheckpointSignatures.readPublicKey(key.publicPem())), Optional.empty(), false));
    }

    @Test
    void writesACheckpointAfterEveryThirdRecordAndOnClose() throws Exception {
        // given a log with a checkpoint every 3 records
        // when 7 records are written one at a time and the log is closed
        try (FileAuditLog log = new FileAuditLog(everyThree(), CLOCK, null)) {
            intents(log, 1, 7);
        }

        // then a checkpoint follows records 3 and 6 and the last one
        List<String> lines = lines(file());
        List<String> types = new ArrayList<>();
        for (String line : lines) {
            types.add(type(line));
        }
        assertEquals(List.of("intent", "intent", "intent", "checkpoint", "intent", "intent", "intent", "checkpoint",
                "intent", "checkpoint"), types);
        // and each names the record before it, its line's hash and the key, and is itself a link of the chain
        ObjectNode checkpoint = records(file()).get(3);
        assertEquals(4, checkpoint.get("seq").longValue());
        assertEquals(3, checkpoint.get("head_seq").longValue());
        assertEquals(sha256(lines.get(2)), checkpoint.get("head_hash").textValue());
        assertEquals(sha256(lines.get(2)), checkpoint.get("prev").textValue());
        assertEquals("audit-2026", checkpoint.get("key_id").textValue());
        assertEquals(List.of("seq", "time", "type", "head_seq", "head_hash", "key_id", "signature", "prev"),
                iterable(checkpoint));
        assertEquals(64, Base64.getDecoder().decode(checkpoint.get("signature").textValue()).length);
    }

    private static List<String> iterable(ObjectNode record) {
        List<String> names = new ArrayList<>();
        record.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void writesACheckpointOnceTheFirstUncoveredRecordIsOldEnoughWithoutWaitingForClose() throws Exception {
        // given a checkpoint due 200 ms after the first record it would cover
        AuditSettings soon = AuditSettings.of(file(), 8).withCheckpoints(keys.checkpointKey("k"), 1000,
                Duration.ofMillis(200), Optional.empty());
        try (FileAuditLog log = new FileAuditLog(soon, CLOCK, null)) {
            // when one record is written and nothing after it
            intents(log, 1, 1);

            // then a checkpoint follows it while the log is still open
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> lines(file()).size() == 2);
            assertEquals("checkpoint", type(lines(file()).get(1)));
        }
        // and closing adds none: nothing is uncovered
        assertEquals(2, lines(file()).size());
    }

    @Test
    void aVerifierWithThePublicKeyAcceptsEveryCheckpoint() {
        try (FileAuditLog log = new FileAuditLog(everyThree(), CLOCK, null)) {
            intents(log, 1, 7);
        }

        Verification verification = verifyWith(keys);

        assertTrue(verification.ok(), verification.message());
        assertEquals(3, verification.checkpoints());
        assertEquals(10, verification.lastCheckpointSeq());
        assertEquals(0, verification.uncovered());
    }

    @Test
    void countsTheRecordsAfterTheLastCheckpoint() throws Exception {
        // given a log whose end, after its last checkpoint, was lost (a crash before the close)
        try (FileAuditLog log = new FileAuditLog(everyThree(), CLOCK, null)) {
            intents(log, 1, 7);
        }
        writeLines(file(), lines(file()).subList(0, 7));

        // when it is verified with the key, then it holds, and the two records no signature covers are counted
        Verification verification = verifyWith(keys);
        assertTrue(verification.ok(), verification.message());
        assertEquals(4, verification.lastCheckpointSeq());
        assertEquals(3, verification.uncovered());
    }

    @Test
    void aFlippedSignatureByteFailsWithTheKeyOnly() throws Exception {
        // given a log whose last checkpoint's signature has one bit changed
        try (FileAuditLog log = new FileAuditLog(everyThree(), CLOCK, null)) {
            intents(log, 1, 7);
        }
        List<String> lines = new ArrayList<>(lines(file()));
        ObjectNode last = (ObjectNode) AuditFixtures.JSON.readTree(lines.get(9));
        byte[] signature = Base64.getDecoder().decode(last.get("signature").textValue());
        signature[17] ^= 0x01;
        last.put("signature", Base64.getEncoder().encodeToString(signature));
        lines.set(9, AuditFixtures.JSON.writeValueAsString(last));
        writeLines(file(), lines);

        // when it is verified without a key, the chain holds (nothing follows the line)
        assertTrue(AuditVerifier.verify(file()).ok());

        // then with the key the checkpoint is named
        Verification verification = verifyWith(keys);
        assertFalse(verification.ok());
        assertEquals(10, verification.brokenLine());
        assertEquals("record 10 (line 10): the checkpoint's signature (key_id \"audit-2026\") does not verify with"
                + " the key given", verification.message());
    }

    @Test
    void anotherKeyFails() {
        try (FileAuditLog log = new FileAuditLog(everyThree(), CLOCK, null)) {
            intents(log, 1, 4);
        }

        Verification verification = verifyWith(AuditKeys.generate(dir, "other-key"));

        assertFalse(verification.ok());
        assertEquals(4, verification.brokenLine());
        assertTrue(verification.message().contains("does not verify"), verification.message());
    }

    @Test
    void aRecordEditedUnderACheckpointWithItsChainRepairedFailsTheSignature() throws Exception {
        // given a log where record 2 was edited and every later prev rewritten to match, as a careful forger would
        try (FileAuditLog log = new FileAuditLog(everyThree(), CLOCK, null)) {
            intents(log, 1, 7);
        }
        List<String> lines = new ArrayList<>(lines(file()));
        lines.set(1, lines.get(1).replace("\"decision\":\"allow\"", "\"decision\":\"deny\""));
        writeLines(file(), AuditSets.rechain(lines, 2));

        // when it is verified: the chain alone holds
        assertTrue(AuditVerifier.verify(file()).ok());

        // then the first checkpoint over the edited record fails its signature
        Verification verification = verifyWith(keys);
        assertFalse(verification.ok());
        assertEquals(4, verification.brokenLine());
        assertTrue(verification.message().contains("does not verify"), verification.message());
    }

    @Test
    void aCheckpointThatDoesNotSignTheRecordBeforeItFails() throws Exception {
        // given a checkpoint copied from elsewhere in the log: valid signature, wrong place
        try (FileAuditLog log = new FileAuditLog(everyThree(), CLOCK, null)) {
            intents(log, 1, 7);
        }
        List<String> lines = new ArrayList<>(lines(file()));
        ObjectNode moved = (ObjectNode) AuditFixtures.JSON.readTree(lines.get(3));
        moved.put("seq", 10);
        moved.put("prev", sha256(lines.get(8)));
        lines.set(9, AuditFixtures.JSON.writeValueAsString(moved));
        writeLines(file(), lines);

        // when it is verified, then the checkpoint is named even without the key
        Verification verification = AuditVerifier.verify(file());
        assertFalse(verification.ok());
        assertEquals(10, verification.brokenLine());
        assertTrue(verification.message().contains("the checkpoint does not sign the record before it"),
                verification.message());
    }

    @Test
    void aLogWithoutAnyCheckpointFailsWithAKey() {
        // given a log written without checkpoints
        AuditFixtures.writeIntents(file(), 3);

        // when it is verified with a key, then nothing vouches for it
        Verification verification = verifyWith(keys);
        assertFalse(verification.ok());
        assertEquals("no checkpoint in 3 records: no signature vouches for any of them", verification.message());
    }

    @Test
    void aLogEndingInRecordsNoCheckpointCoversGetsOneAfterARestart() throws Exception {
        // given a log written without checkpoints
        AuditFixtures.writeIntents(file(), 2);

        // when it is opened with a key and closed with nothing written
        new FileAuditLog(everyThree(), CLOCK, null).close();

        // then a checkpoint covers what was there
        List<String> lines = lines(file());
        assertEquals(3, lines.size());
        assertEquals("checkpoint", type(lines.get(2)));
        assertTrue(verifyWith(keys).ok(), verifyWith(keys).message());
    }

    @Test
    void everyRotatedFileEndsInACheckpoint() throws Exception {
        // given a rotated log with checkpoints due only every 1000 records
        AuditSettings settings = AuditSettings.of(file(), 8).withRotation(OptionalLong.of(1), Optional.empty())
                .withCheckpoints(keys.checkpointKey("k"), 1000, Duration.ofHours(1), Optional.empty());
        try (FileAuditLog log = new FileAuditLog(settings, CLOCK, null)) {
            intents(log, 1, 3);
        }

        // then each file was signed before it was closed, and the set verifies with the key
        List<Path> files = AuditFiles.list(file());
        assertEquals(3, files.size());
        for (Path each : files) {
            List<String> lines = lines(each);
            assertEquals(List.of("intent", "checkpoint"), List.of(type(lines.get(0)), type(lines.get(1))), each
                    .toString());
        }
        Verification verification = verifyWith(keys);
        assertTrue(verification.ok(), verification.message());
        assertEquals(3, verification.checkpoints());
    }
}
