package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditSets.intents;
import static dev.toolgate.audit.AuditSets.rotatingEveryBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Uni;

/** The reader API over a rotated log: its files in seq order, and its records streamed across them. */
class AuditFilesTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("audit.jsonl");
    }

    private static List<Long> seqs(Path activeLog) {
        try (Stream<ObjectNode> records = AuditFiles.records(activeLog)) {
            return records.map(record -> record.get("seq").longValue()).toList();
        }
    }

    @Test
    void listsRotatedFilesInSeqOrderThenTheActiveFileAndNothingElse() throws Exception {
        // given rotated files past seq 9 (where names would sort wrongly without padding) and unrelated files
        try (FileAuditLog log = new FileAuditLog(rotatingEveryBatch(file()), CLOCK, null)) {
            intents(log, 1, 12);
        }
        Files.writeString(dir.resolve("audit.old.jsonl"), "{}\n");
        Files.writeString(dir.resolve("other.00000000000000000001-00000000000000000001.jsonl"), "{}\n");

        // when the log's files are listed
        List<Path> files = AuditFiles.list(file());

        // then
        assertEquals(12, files.size());
        for (int i = 0; i < 11; i++) {
            assertEquals(AuditFiles.rotatedName(file(), i + 1, i + 1), files.get(i));
        }
        assertEquals(file(), files.get(11));
    }

    @Test
    void aLogThatIsNotThereHasNoFiles() {
        assertEquals(List.of(), AuditFiles.list(dir.resolve("nowhere/audit.jsonl")));
        assertEquals(List.of(), seqs(dir.resolve("nowhere/audit.jsonl")));
    }

    @Test
    void streamsEveryRecordAcrossRotatedFilesInSeqOrderCheckpointsIncluded() throws Exception {
        // given a rotated log with checkpoints
        AuditKeys keys = AuditKeys.generate(dir, "audit-key");
        AuditSettings settings = rotatingEveryBatch(file()).withCheckpoints(keys.checkpointKey("k1"), 2,
                Duration.ofHours(1), java.util.Optional.empty());
        try (FileAuditLog log = new FileAuditLog(settings, CLOCK, null)) {
            intents(log, 1, 5);
        }

        // when its records are read
        List<ObjectNode> records;
        try (Stream<ObjectNode> stream = AuditFiles.records(file())) {
            records = stream.toList();
        }

        // then they come in seq order from 1, calls and checkpoints alike
        for (int i = 0; i < records.size(); i++) {
            assertEquals(i + 1, records.get(i).get("seq").longValue());
        }
        assertEquals(List.of("call-1", "call-2", "call-3", "call-4", "call-5"), records.stream()
                .filter(r -> r.has("decision_id")).map(r -> r.get("decision_id").textValue()).toList());
        assertTrue(records.stream().anyMatch(r -> "checkpoint".equals(r.get("type").textValue())));
    }

    @Test
    void leavesOutATornLastLineAndGoesOnWhereOlderFilesWereDeleted() throws Exception {
        // given a rotated log whose oldest file was deleted and whose last write was cut short
        try (FileAuditLog log = new FileAuditLog(rotatingEveryBatch(file()), CLOCK, null)) {
            intents(log, 1, 4);
        }
        Files.delete(AuditFiles.rotatedName(file(), 1, 1));
        Files.writeString(file(), "{\"seq\":5,", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        // when its records are read, then they start at the first file there is and end at the last whole line
        assertEquals(List.of(2L, 3L, 4L), seqs(file()));
    }

    @Test
    void namesTheFileAndLineOfALineThatIsNotARecord() throws Exception {
        // given a log with garbage in a rotated file
        try (FileAuditLog log = new FileAuditLog(rotatingEveryBatch(file()), CLOCK, null)) {
            intents(log, 1, 3);
        }
        Path second = AuditFiles.rotatedName(file(), 2, 2);
        Files.writeString(second, "garbage\n");

        // when its records are read, then the reader stops there, naming it
        UncheckedIOException failure = assertThrows(UncheckedIOException.class, () -> seqs(file()));
        assertTrue(failure.getMessage().contains(second + " line 1 is not a JSON object"), failure.getMessage());
    }

    @Test
    void aReaderFollowsFilesRotatedWhileItReads() throws Exception {
        // given a log rotated after every batch, written to while it is read
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (FileAuditLog log = new FileAuditLog(rotatingEveryBatch(file()), CLOCK, null)) {
            Future<?> writing = writer.submit(() -> {
                List<Uni<Void>> writes = new ArrayList<>();
                for (int i = 1; i <= 400; i++) {
                    writes.add(log.intent(allowed("call-" + i), "bundle-7"));
                }
                writes.forEach(AuditFixtures::await);
            });

            // when it is read again and again meanwhile
            int reads = 0;
            while (!writing.isDone() || reads < 3) {
                List<Long> seqs = seqs(file());

                // then every read is a run of seqs from 1 without gaps or repeats
                for (int i = 0; i < seqs.size(); i++) {
                    assertEquals(i + 1, seqs.get(i), "read " + reads + " at " + i);
                }
                reads++;
            }
            writing.get(10, TimeUnit.SECONDS);
        } finally {
            writer.shutdownNow();
        }
        assertEquals(400, seqs(file()).size());
    }
}
