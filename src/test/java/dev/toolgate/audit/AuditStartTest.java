package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditFixtures.await;
import static dev.toolgate.audit.AuditFixtures.lines;
import static dev.toolgate.audit.AuditFixtures.records;
import static dev.toolgate.audit.AuditFixtures.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Opening a log: new, continued, cut short by a crash, or damaged. */
class AuditStartTest {

    @TempDir
    Path dir;

    @Test
    void createsMissingParentDirectoriesAndStartsTheChainAtZero() throws Exception {
        // given a path whose directories do not exist
        Path file = dir.resolve("var/log/toolgate/audit.jsonl");

        // when a log is opened there and one record appended
        try (FileAuditLog log = new FileAuditLog(file, 256, CLOCK)) {
            await(log.intent(allowed("call-1"), "bundle-7"));
        }

        // then the file exists with a first record chained to zeros
        ObjectNode first = records(file).get(0);
        assertEquals(1, first.get("seq").longValue());
        assertEquals("0".repeat(64), first.get("prev").textValue());
    }

    @Test
    void truncatesAPartialLastLineAndContinuesAfterTheLastWholeRecord() throws Exception {
        // given a log whose last write was cut short by a crash
        Path file = dir.resolve("audit.jsonl");
        AuditFixtures.writeIntents(file, 3);
        String third = lines(file).get(2);
        long whole = Files.size(file);
        Files.writeString(file, "{\"seq\":4,\"time\":\"2026-05-02T18:3", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);

        // when the log is opened again
        try (FileAuditLog log = new FileAuditLog(file, 256, CLOCK)) {

            // then the partial tail is gone before anything is appended
            assertEquals(whole, Files.size(file));

            // and the next record continues from the last whole one
            await(log.intent(allowed("call-4"), "bundle-7"));
        }
        List<ObjectNode> records = records(file);
        assertEquals(4, records.size());
        assertEquals(4, records.get(3).get("seq").longValue());
        assertEquals(sha256(third), records.get(3).get("prev").textValue());
        assertTrue(AuditVerifier.verify(file).ok(), AuditVerifier.verify(file).message());
    }

    @Test
    void partialFirstLineLeavesAnEmptyLog() throws Exception {
        // given a file whose only write was cut short
        Path file = dir.resolve("audit.jsonl");
        Files.writeString(file, "{\"seq\":1,\"ti", StandardCharsets.UTF_8);

        // when the log is opened and a record appended
        try (FileAuditLog log = new FileAuditLog(file, 256, CLOCK)) {
            await(log.intent(allowed("call-1"), "bundle-7"));
        }

        // then the chain starts afresh
        List<ObjectNode> records = records(file);
        assertEquals(1, records.size());
        assertEquals(1, records.get(0).get("seq").longValue());
        assertEquals("0".repeat(64), records.get(0).get("prev").textValue());
    }

    @Test
    void findsTheLastRecordWhenItIsLongerThanOneReadChunk() throws Exception {
        // given a log whose last line is far longer than the 8 KiB read backwards at a time
        Path file = dir.resolve("audit.jsonl");
        String big = "x".repeat(40_000);
        try (FileAuditLog log = new FileAuditLog(file, 256, CLOCK)) {
            await(log.intent(allowed("call-1"), "bundle-7"));
            await(log.intent(allowed("call-2", AuditFixtures.args("{\"blob\":\"" + big + "\"}"),
                    dev.toolgate.call.ApprovalTier.NONE, List.of()), "bundle-7"));
        }
        String last = lines(file).get(1);

        // when the log is opened again and appended to
        try (FileAuditLog log = new FileAuditLog(file, 256, CLOCK)) {
            await(log.intent(allowed("call-3"), "bundle-7"));
        }

        // then the chain continues from that long line
        ObjectNode third = records(file).get(2);
        assertEquals(3, third.get("seq").longValue());
        assertEquals(sha256(last), third.get("prev").textValue());
    }

    @Test
    void refusesToStartWhenTheLastLineIsNotARecord() throws Exception {
        // given a log whose last complete line is damaged
        Path file = dir.resolve("audit.jsonl");
        AuditFixtures.writeIntents(file, 2);
        List<String> lines = new ArrayList<>(lines(file));
        lines.add("{\"seq\": \"three\"}");
        AuditFixtures.writeLines(file, lines);

        // when a log is opened on it
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new FileAuditLog(file, 256, CLOCK));

        // then start-up stops, naming the file and the way to investigate, and the file is left alone
        assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
        assertTrue(refused.getMessage().contains("audit verify"), refused.getMessage());
        assertEquals(lines, lines(file));
    }

    @Test
    void refusesToStartWhenTheLastLineIsNotJson() throws Exception {
        // given a log ending in a line that is not JSON
        Path file = dir.resolve("audit.jsonl");
        AuditFixtures.writeIntents(file, 2);
        Files.writeString(file, "garbage\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        // when / then start-up is refused, and a later attempt is refused the same way (nothing was changed)
        for (int attempt = 0; attempt < 2; attempt++) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> new FileAuditLog(file, 256, CLOCK));
            assertTrue(refused.getMessage().contains("not a JSON object"), refused.getMessage());
        }
    }

    @Test
    void refusesASecondWriterOnTheSameFile() throws Exception {
        // given an open log
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog first = new FileAuditLog(file, 256, CLOCK)) {

            // when a second one is opened on the same file
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> new FileAuditLog(file, 256, CLOCK));

            // then it is refused, and the first keeps working
            assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
            await(first.intent(allowed("call-1"), "bundle-7"));
        }
        assertEquals(1, lines(file).size());
    }

    @Test
    void refusesADirectoryAsTheLogFile() {
        // given a path that is a directory
        // when a log is opened on it
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new FileAuditLog(dir, 256, CLOCK));

        // then start-up stops with a message naming the path
        assertTrue(refused.getMessage().contains(dir.toString()), refused.getMessage());
    }

    @Test
    void refusesABatchSizeBelowOne() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new FileAuditLog(dir.resolve("audit.jsonl"), 0, CLOCK));

        assertTrue(refused.getMessage().contains("max-batch"), refused.getMessage());
    }
}
