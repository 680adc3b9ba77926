package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditFixtures.await;
import static dev.toolgate.audit.AuditFixtures.lines;
import static dev.toolgate.audit.AuditSets.concat;
import static dev.toolgate.audit.AuditSets.type;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/** The export file and the checkpoint file: copies of durable lines that never hold up the log. */
class AuditExportTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("audit.jsonl");
    }

    private static long lineCount(Path file) throws Exception {
        return Files.exists(file) ? lines(file).size() : 0;
    }

    @Test
    void theExportHoldsExactlyTheLinesOfTheLogAcrossRotation() throws Exception {
        // given a rotated, checkpointed log with an export file
        Path export = dir.resolve("shipper/audit-export.jsonl");
        AuditKeys keys = AuditKeys.generate(dir, "key");
        AuditSettings settings = AuditSettings.of(file(), 8).withRotation(OptionalLong.of(4096), Optional.empty())
                .withCheckpoints(keys.checkpointKey("k"), 10, Duration.ofHours(1), Optional.empty())
                .withExportFile(Optional.of(export));

        // when records of every kind are written concurrently and the log is closed
        try (FileAuditLog log = new FileAuditLog(settings, CLOCK, null)) {
            List<Uni<Void>> writes = new ArrayList<>();
            for (int i = 1; i <= 80; i++) {
                writes.add(i % 2 == 0 ? log.intent(allowed("call-" + i), "bundle-7")
                        : log.denied(allowed("call-" + i), "bundle-7", Denial.of(Reason.POLICY_DENIED, "no")));
            }
            writes.forEach(AuditFixtures::await);
        }

        // then the export is the log's files end to end, byte for byte, checkpoints included
        assertTrue(AuditFiles.list(file()).size() > 2);
        assertArrayEquals(concat(AuditFiles.list(file())), Files.readAllBytes(export));
    }

    @Test
    void anOutcomeAnsweredBeforeItsFsyncReachesTheExportOnlyOnceSynced() throws Exception {
        // given outcomes that may wait ten minutes for their fsync
        Path export = dir.resolve("export.jsonl");
        AuditSettings settings = AuditSettings.of(file(), 8).withOutcomeSyncDelay(Duration.ofMinutes(10))
                .withExportFile(Optional.of(export));
        try (FileAuditLog log = new FileAuditLog(settings, CLOCK, null)) {
            await(log.intent(allowed("call-1"), "bundle-7"));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> lineCount(export) == 1);

            // when an outcome is written and answered, but not synced
            await(log.outcome(allowed("call-1"), "bundle-7", "200", Optional.empty()));
            Thread.sleep(300);

            // then it is in the log and not yet in the export
            assertEquals(2, lines(file()).size());
            assertEquals(1, lineCount(export));

            // and the next record that is synced brings both
            await(log.intent(allowed("call-2"), "bundle-7"));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> lineCount(export) == 3);
        }
        assertArrayEquals(Files.readAllBytes(file()), Files.readAllBytes(export));
    }

    @Test
    void theCheckpointFileHoldsTheCheckpointLinesOnly() throws Exception {
        // given a checkpoint every 2 records, copied to a file of their own
        Path copy = dir.resolve("checkpoints.jsonl");
        AuditKeys keys = AuditKeys.generate(dir, "key");
        AuditSettings settings = AuditSettings.of(file(), 8).withCheckpoints(keys.checkpointKey("k"), 2,
                Duration.ofHours(1), Optional.of(copy));

        // when 5 records are written and the log closed
        try (FileAuditLog log = new FileAuditLog(settings, CLOCK, null)) {
            AuditSets.intents(log, 1, 5);
        }

        // then the copy holds the log's checkpoint lines, as they are there
        List<String> checkpoints = new ArrayList<>();
        for (String line : lines(file())) {
            if (type(line).equals("checkpoint")) {
                checkpoints.add(line);
            }
        }
        assertEquals(3, checkpoints.size());
        assertEquals(checkpoints, lines(copy));
    }

    @Test
    void anExportThatCannotBeWrittenFailsNoRecordAndIsCounted() throws Exception {
        // given an export file under a path that is a regular file, so it can never be created
        Path blocker = Files.writeString(dir.resolve("not-a-directory"), "x");
        Path export = blocker.resolve("export.jsonl");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AuditSettings settings = AuditSettings.of(file(), 8).withExportFile(Optional.of(export));

        // when records are written
        try (FileAuditLog log = new FileAuditLog(settings, CLOCK, meters)) {
            AuditSets.intents(log, 1, 5);

            // then every one is durable in the log, and each line the export lost is counted
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> meters.counter(
                    "toolgate.audit.export.failures", "sink", "export").count() == 5.0);
        }
        assertEquals(5, lines(file()).size());
        assertTrue(AuditVerifier.verify(file()).ok());
    }
}
