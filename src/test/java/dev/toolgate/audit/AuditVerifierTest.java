package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditFixtures.args;
import static dev.toolgate.audit.AuditFixtures.await;
import static dev.toolgate.audit.AuditFixtures.lines;
import static dev.toolgate.audit.AuditFixtures.writeIntents;
import static dev.toolgate.audit.AuditFixtures.writeLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.toolgate.audit.AuditVerifier.Verification;
import dev.toolgate.call.ApprovalTier;

class AuditVerifierTest {

    @TempDir
    Path dir;

    private Path logOf(int records) {
        Path file = dir.resolve("audit.jsonl");
        writeIntents(file, records);
        return file;
    }

    @Test
    void acceptsAnIntactLog() {
        // given a log written by the gateway
        Path file = logOf(10);

        // when it is verified
        Verification verification = AuditVerifier.verify(file);

        // then every record holds
        assertTrue(verification.ok(), verification.message());
        assertEquals(10, verification.records());
        assertEquals(0, verification.brokenLine());
    }

    @Test
    void acceptsAnEmptyLog() throws Exception {
        Path file = Files.createFile(dir.resolve("audit.jsonl"));

        Verification verification = AuditVerifier.verify(file);

        assertTrue(verification.ok(), verification.message());
        assertEquals(0, verification.records());
    }

    @Test
    void namesTheLineWhoseRecordWasChanged() throws Exception {
        // given a log where one character of record 5 was changed
        Path file = logOf(10);
        List<String> lines = new ArrayList<>(lines(file));
        String original = lines.get(4);
        lines.set(4, original.replace("\"decision\":\"allow\"", "\"decision\":\"allov\""));
        assertEquals(original.length(), lines.get(4).length());
        writeLines(file, lines);

        // when it is verified
        Verification verification = AuditVerifier.verify(file);

        // then the break is found at the next record, which names the changed line
        assertFalse(verification.ok());
        assertEquals(6, verification.brokenLine());
        assertEquals(5, verification.records());
        assertEquals("record 6 (line 6): prev does not match the SHA-256 of line 5", verification.message());
    }

    @Test
    void detectsADeletedLine() throws Exception {
        // given a log where record 4 was deleted
        Path file = logOf(8);
        List<String> lines = new ArrayList<>(lines(file));
        lines.remove(3);
        writeLines(file, lines);

        // when it is verified
        Verification verification = AuditVerifier.verify(file);

        // then the gap in seq is reported at the line that now holds record 5
        assertFalse(verification.ok());
        assertEquals(4, verification.brokenLine());
        assertEquals("record 4 (line 4): seq 4 expected, found 5", verification.message());
    }

    @Test
    void detectsALineThatIsNotAJsonObject() throws Exception {
        // given a log where line 3 was overwritten with text
        Path file = logOf(5);
        List<String> lines = new ArrayList<>(lines(file));
        lines.set(2, "[\"not\", \"an\", \"object\"]");
        writeLines(file, lines);

        // when it is verified
        Verification verification = AuditVerifier.verify(file);

        // then that line is named
        assertFalse(verification.ok());
        assertEquals(3, verification.brokenLine());
        assertEquals("line 3: not a JSON object", verification.message());
    }

    @Test
    void detectsAFirstRecordThatDoesNotStartTheChain() throws Exception {
        // given a log whose first record claims a predecessor
        Path file = logOf(3);
        List<String> lines = new ArrayList<>(lines(file));
        lines.set(0, lines.get(0).replace("\"prev\":\"" + "0".repeat(64), "\"prev\":\"" + "1".repeat(64)));
        writeLines(file, lines);

        // when it is verified
        Verification verification = AuditVerifier.verify(file);

        // then the first record is named
        assertFalse(verification.ok());
        assertEquals(1, verification.brokenLine());
        assertEquals("record 1 (line 1): prev of the first record must be 64 zeros", verification.message());
    }

    @Test
    void detectsSwappedRecords() throws Exception {
        // given a log where records 2 and 3 changed places
        Path file = logOf(5);
        List<String> lines = new ArrayList<>(lines(file));
        lines.set(1, lines.set(2, lines.get(1)));
        writeLines(file, lines);

        // when it is verified
        Verification verification = AuditVerifier.verify(file);

        // then the first out-of-order line is named
        assertFalse(verification.ok());
        assertEquals(2, verification.brokenLine());
        assertEquals("record 2 (line 2): seq 2 expected, found 3", verification.message());
    }

    @Test
    void reportsAPartialLastLine() throws Exception {
        // given a log a crash cut short in its last write
        Path file = logOf(3);
        Files.writeString(file, "{\"seq\":4,", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        // when it is verified
        Verification verification = AuditVerifier.verify(file);

        // then the whole records hold and the partial line is named
        assertFalse(verification.ok());
        assertEquals(3, verification.records());
        assertEquals(4, verification.brokenLine());
        assertTrue(verification.message().startsWith("line 4: partial record"), verification.message());
    }

    @Test
    void followsTheChainAcrossLinesLongerThanItsReadBuffer() throws Exception {
        // given records far larger than the 64 KiB the verifier reads at a time
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog log = new FileAuditLog(file, 256, CLOCK)) {
            for (int i = 1; i <= 5; i++) {
                String blob = String.valueOf((char) ('a' + i)).repeat(100_000 + i);
                await(log.intent(allowed("call-" + i, args("{\"blob\":\"" + blob + "\"}"), ApprovalTier.NONE,
                        List.of()), "bundle-7"));
            }
        }

        // when it is verified
        Verification verification = AuditVerifier.verify(file);

        // then the chain holds across the read boundaries
        assertTrue(verification.ok(), verification.message());
        assertEquals(5, verification.records());
    }

    @Test
    void failsLoudlyWhenTheFileCannotBeRead() {
        Path missing = dir.resolve("missing.jsonl");

        UncheckedIOException failure = assertThrows(UncheckedIOException.class, () -> AuditVerifier.verify(missing));

        assertTrue(failure.getMessage().contains(missing.toString()), failure.getMessage());
    }
}
