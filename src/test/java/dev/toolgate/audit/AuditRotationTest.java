package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.NOW;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditFixtures.await;
import static dev.toolgate.audit.AuditFixtures.lines;
import static dev.toolgate.audit.AuditFixtures.records;
import static dev.toolgate.audit.AuditFixtures.sha256;
import static dev.toolgate.audit.AuditSets.intents;
import static dev.toolgate.audit.AuditSets.rotatingEveryBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.audit.AuditVerifier.Verification;
import dev.toolgate.testing.TestClock;
import io.smallrye.mutiny.Uni;

/** Rotation by size and by time: the chain goes on across files, and across restarts. */
class AuditRotationTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("audit.jsonl");
    }

    private Path rotated(long first, long last) {
        return AuditFiles.rotatedName(file(), first, last);
    }

    @Test
    void rotatesBySizeIntoFilesNamedForTheirSeqsAndTheChainGoesOn() throws Exception {
        // given a log rotated once a file holds anything, written one batch at a time
        try (FileAuditLog log = new FileAuditLog(rotatingEveryBatch(file()), CLOCK, null)) {
            intents(log, 1, 4);
        }

        // then each full file was renamed for its seq, the active file keeps the name and holds the last record
        assertEquals(List.of(rotated(1, 1), rotated(2, 2), rotated(3, 3), file()), AuditFiles.list(file()));
        assertEquals("audit.00000000000000000001-00000000000000000001.jsonl", rotated(1, 1).getFileName().toString());
        // and each file's first record is chained to the last line of the file before it
        ObjectNode fourth = records(file()).get(0);
        assertEquals(4, fourth.get("seq").longValue());
        assertEquals(sha256(lines(rotated(3, 3)).get(0)), fourth.get("prev").textValue());
        Verification set = AuditVerifier.verify(AuditFiles.list(file()), AuditVerifier.Options.NONE);
        assertTrue(set.ok(), set.message());
        assertEquals(4, set.records());
    }

    @Test
    void aFileRotatedBySizeHoldsAtLeastThatMuchAndTheSetVerifies() throws Exception {
        // given a 4 KiB limit and records written concurrently, in batches of up to 8
        AuditSettings settings = AuditSettings.of(file(), 8).withRotation(OptionalLong.of(4096), Optional.empty());
        try (FileAuditLog log = new FileAuditLog(settings, CLOCK, null)) {
            List<Uni<Void>> writes = new ArrayList<>();
            for (int i = 1; i <= 60; i++) {
                writes.add(log.intent(allowed("call-" + i), "bundle-7"));
            }
            writes.forEach(AuditFixtures::await);
        }

        // then every rotated file reached the limit, and the set holds all 60 records in one chain
        List<Path> files = AuditFiles.list(file());
        assertTrue(files.size() > 3, files.toString());
        for (Path rotatedFile : files.subList(0, files.size() - 1)) {
            assertTrue(Files.size(rotatedFile) >= 4096, rotatedFile + " " + Files.size(rotatedFile));
        }
        Verification set = AuditVerifier.verify(files, AuditVerifier.Options.NONE);
        assertTrue(set.ok(), set.message());
        assertEquals(60, set.records());
    }

    @Test
    void rotatesByTimeOnceTheFirstRecordIsThatOldAndNeverIntoAnEmptyFile() throws Exception {
        // given a log rotated hourly, on a clock the test moves
        TestClock clock = new TestClock(NOW);
        AuditSettings hourly = AuditSettings.of(file(), 8).withRotation(OptionalLong.empty(),
                Optional.of(Duration.ofHours(1)));
        try (FileAuditLog log = new FileAuditLog(hourly, clock, null)) {
            intents(log, 1, 3);
            clock.advance(Duration.ofMinutes(59));
            intents(log, 4, 2);

            // when the first record turns an hour old, the next record starts a new file
            clock.advance(Duration.ofMinutes(1));
            intents(log, 6, 1);
            assertEquals(List.of(rotated(1, 5), file()), AuditFiles.list(file()));

            // and a quiet spell leaves no empty file behind: the record after it closes the old one
            clock.advance(Duration.ofHours(5));
            assertEquals(List.of(rotated(1, 5), file()), AuditFiles.list(file()));
            intents(log, 7, 1);
        }

        // then
        assertEquals(List.of(rotated(1, 5), rotated(6, 6), file()), AuditFiles.list(file()));
        assertEquals(7, records(file()).get(0).get("seq").longValue());
        Verification set = AuditVerifier.verify(AuditFiles.list(file()), AuditVerifier.Options.NONE);
        assertTrue(set.ok(), set.message());
    }

    @Test
    void aRestartContinuesTheChainOfARotatedLog() throws Exception {
        // given a rotated log that was closed
        try (FileAuditLog log = new FileAuditLog(rotatingEveryBatch(file()), CLOCK, null)) {
            intents(log, 1, 3);
        }
        String last = lines(file()).get(0);

        // when it is opened again and written to
        try (FileAuditLog log = new FileAuditLog(rotatingEveryBatch(file()), CLOCK, null)) {
            intents(log, 4, 2);
        }

        // then the chain goes on from the active file's last record, and the set verifies
        assertEquals(List.of(rotated(1, 1), rotated(2, 2), rotated(3, 3), rotated(4, 4), file()),
                AuditFiles.list(file()));
        assertEquals(sha256(last), records(rotated(4, 4)).get(0).get("prev").textValue());
        assertTrue(AuditVerifier.verify(AuditFiles.list(file()), AuditVerifier.Options.NONE).ok());
    }

    @Test
    void continuesFromTheNewestRotatedFileWhenACrashLeftNoActiveFile() throws Exception {
        // given a crash between the rename of the active file and the first record of the new one
        try (FileAuditLog log = new FileAuditLog(rotatingEveryBatch(file()), CLOCK, null)) {
            intents(log, 1, 3);
        }
        Files.move(file(), rotated(3, 3));
        String third = lines(rotated(3, 3)).get(0);

        // when toolgate starts again, without rotation this time
        try (FileAuditLog log = new FileAuditLog(file(), 8, CLOCK)) {
            await(log.intent(allowed("call-4"), "bundle-7"));
        }

        // then the new active file continues the chain of the newest rotated one
        ObjectNode fourth = records(file()).get(0);
        assertEquals(4, fourth.get("seq").longValue());
        assertEquals(sha256(third), fourth.get("prev").textValue());
        assertTrue(AuditVerifier.verify(AuditFiles.list(file()), AuditVerifier.Options.NONE).ok());
    }

    @Test
    void continuesFromTheNewestRotatedFileWhenTheActiveFileIsEmpty() throws Exception {
        // given a crash right after the new active file was created
        try (FileAuditLog log = new FileAuditLog(rotatingEveryBatch(file()), CLOCK, null)) {
            intents(log, 1, 2);
        }
        Files.move(file(), rotated(2, 2));
        Files.createFile(file());

        // when toolgate starts again
        try (FileAuditLog log = new FileAuditLog(rotatingEveryBatch(file()), CLOCK, null)) {
            intents(log, 3, 1);
        }

        // then
        assertEquals(3, records(file()).get(0).get("seq").longValue());
        assertTrue(AuditVerifier.verify(AuditFiles.list(file()), AuditVerifier.Options.NONE).ok());
    }

    @Test
    void aRotationThatCannotRenameLeavesTheLogGoingInTheSameFile() throws Exception {
        // given something already holding the name the first file would be rotated to
        Files.createDirectories(rotated(1, 1));

        // when records are written
        try (FileAuditLog log = new FileAuditLog(rotatingEveryBatch(file()), CLOCK, null)) {
            intents(log, 1, 3);
        }

        // then none failed: record 2 went into the same file, whose rotation succeeded before record 3
        assertEquals(List.of(rotated(1, 2), file()), AuditFiles.list(file()));
        assertEquals(3, records(file()).get(0).get("seq").longValue());
        assertTrue(AuditVerifier.verify(AuditFiles.list(file()), AuditVerifier.Options.NONE).ok());
    }
}
