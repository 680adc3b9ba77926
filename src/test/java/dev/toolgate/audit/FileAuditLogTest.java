package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditFixtures.await;
import static dev.toolgate.audit.AuditFixtures.failureOf;
import static dev.toolgate.audit.AuditFixtures.lines;
import static dev.toolgate.audit.AuditFixtures.records;
import static dev.toolgate.audit.AuditFixtures.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import io.smallrye.mutiny.Uni;

class FileAuditLogTest {

    @TempDir
    Path dir;

    @Test
    void chainsEveryRecordToTheLineBeforeIt() throws Exception {
        // given a log that commits in small batches
        Path file = dir.resolve("audit.jsonl");
        List<Uni<Void>> writes = new ArrayList<>();

        // when many records of every type are appended without waiting for each
        try (FileAuditLog log = new FileAuditLog(file, 7, CLOCK)) {
            for (int i = 1; i <= 500; i++) {
                String id = "call-" + i;
                writes.add(switch (i % 4) {
                    case 0 -> log.intent(allowed(id), "bundle-7");
                    case 1 -> log.outcome(allowed(id), "bundle-7", "200", Optional.empty());
                    case 2 -> log.denied(allowed(id), "bundle-7", Denial.of(Reason.POLICY_DENIED, "no"));
                    default -> log.proposed(allowed(id), "bundle-7", Optional.empty());
                });
            }
            writes.forEach(AuditFixtures::await);
        }

        // then file order is seq order, each prev hashes the line before, and the verifier agrees
        List<String> lines = lines(file);
        assertEquals(500, lines.size());
        String expectedPrev = "0".repeat(64);
        for (int i = 0; i < lines.size(); i++) {
            ObjectNode record = (ObjectNode) AuditFixtures.JSON.readTree(lines.get(i));
            assertEquals(i + 1, record.get("seq").longValue(), "seq of line " + (i + 1));
            assertEquals("call-" + (i + 1), record.get("decision_id").textValue());
            assertEquals(expectedPrev, record.get("prev").textValue(), "prev of line " + (i + 1));
            expectedPrev = sha256(lines.get(i));
        }
        AuditVerifier.Verification verification = AuditVerifier.verify(file);
        assertTrue(verification.ok(), verification.message());
        assertEquals(500, verification.records());
    }

    @Test
    void recordsFromEightThreadsGetUniqueConsecutiveSeqs() throws Exception {
        // given eight threads released at once
        Path file = dir.resolve("audit.jsonl");
        int threads = 8;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Uni<Void>>>> submitted = new ArrayList<>();

        // when each appends its records concurrently
        try (FileAuditLog log = new FileAuditLog(file, 16, CLOCK)) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                submitted.add(pool.submit(() -> {
                    start.await();
                    List<Uni<Void>> writes = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        writes.add(log.intent(allowed("t" + thread + "-" + i), "bundle-7"));
                    }
                    return writes;
                }));
            }
            start.countDown();
            for (Future<List<Uni<Void>>> future : submitted) {
                future.get(30, TimeUnit.SECONDS).forEach(AuditFixtures::await);
            }
        } finally {
            pool.shutdownNow();
        }

        // then every record landed once, with seqs 1..n in file order and an intact chain
        List<ObjectNode> records = records(file);
        assertEquals(threads * perThread, records.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < records.size(); i++) {
            assertEquals(i + 1, records.get(i).get("seq").longValue());
            ids.add(records.get(i).get("decision_id").textValue());
        }
        assertEquals(threads * perThread, ids.size());
        AuditVerifier.Verification verification = AuditVerifier.verify(file);
        assertTrue(verification.ok(), verification.message());
    }

    @Test
    void newInstanceOnTheSameFileContinuesTheChain() throws Exception {
        // given a log with three records, closed
        Path file = dir.resolve("audit.jsonl");
        AuditFixtures.writeIntents(file, 3);
        String third = lines(file).get(2);

        // when a new instance appends two more
        try (FileAuditLog log = new FileAuditLog(file, 4, CLOCK)) {
            await(log.intent(allowed("call-4"), "bundle-7"));
            await(log.intent(allowed("call-5"), "bundle-7"));
        }

        // then seq and prev carry on from the last record
        List<ObjectNode> records = records(file);
        assertEquals(5, records.size());
        assertEquals(4, records.get(3).get("seq").longValue());
        assertEquals(sha256(third), records.get(3).get("prev").textValue());
        AuditVerifier.Verification verification = AuditVerifier.verify(file);
        assertTrue(verification.ok(), verification.message());
        assertEquals(5, verification.records());
    }

    @Test
    void closeWritesWhatIsQueuedAndRefusesLaterRecords() throws Exception {
        // given records appended but not awaited
        Path file = dir.resolve("audit.jsonl");
        FileAuditLog log = new FileAuditLog(file, 3, CLOCK);
        List<Uni<Void>> writes = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            writes.add(log.intent(allowed("call-" + i), "bundle-7"));
        }

        // when the log is closed
        log.close();

        // then every queued record is durable, and a later one fails instead of waiting forever
        writes.forEach(AuditFixtures::await);
        assertEquals(50, lines(file).size());
        Throwable late = failureOf(log.intent(allowed("call-51"), "bundle-7"));
        assertInstanceOf(IOException.class, late);
        assertTrue(late.getMessage().contains("closed"), late.getMessage());
        assertEquals(50, lines(file).size());
    }

    @Test
    void acknowledgedRecordIsAlreadyInTheFile() throws Exception {
        // given an open log
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog log = new FileAuditLog(file, 256, CLOCK)) {

            // when one record's Uni completes
            await(log.intent(allowed("call-1"), "bundle-7"));

            // then the record can be read from the file before the log is closed
            List<String> lines = lines(file);
            assertEquals(1, lines.size());
            assertTrue(lines.get(0).contains("\"decision_id\":\"call-1\""), lines.get(0));
        }
    }
}
