package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.lines;
import static dev.toolgate.audit.AuditFixtures.writeLines;
import static dev.toolgate.audit.AuditSets.intents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.toolgate.audit.AuditVerifier.Options;
import dev.toolgate.audit.AuditVerifier.Verification;

/** Verifying a rotated set: breaks between and inside files are named by file and line. */
class AuditSetVerifierTest {

    @TempDir
    Path dir;

    /** audit.1-3, audit.4-6, audit.7-9, audit.jsonl (10, 11). */
    @BeforeEach
    void writeASetOfFourFiles() {
        // three records per file: a limit between the size of two lines and of three
        try (FileAuditLog log = new FileAuditLog(file(), 8, CLOCK)) {
            intents(log, 1, 1);
        }
        long line = sizeOf(file());
        AuditSettings settings = AuditSettings.of(file(), 8).withRotation(OptionalLong.of(3 * line - 3),
                Optional.empty());
        try (FileAuditLog log = new FileAuditLog(settings, CLOCK, null)) {
            intents(log, 2, 10);
        }
        assertEquals(List.of(part(1, 3), part(4, 6), part(7, 9), file()), AuditFiles.list(file()));
    }

    private Path file() {
        return dir.resolve("audit.jsonl");
    }

    private Path part(long first, long last) {
        return AuditFiles.rotatedName(file(), first, last);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Verification verify(List<Path> files, boolean allowPruned) {
        return AuditVerifier.verify(files, new Options(List.of(), Optional.empty(), allowPruned));
    }

    @Test
    void acceptsTheWholeSet() {
        Verification verification = verify(AuditFiles.list(file()), false);

        assertTrue(verification.ok(), verification.message());
        assertEquals(11, verification.records());
        assertEquals(1, verification.firstSeq());
    }

    @Test
    void namesTheFileAfterAMissingMiddleFile() throws Exception {
        // given the set without its second file
        Files.delete(part(4, 6));

        // when it is verified
        Verification verification = verify(AuditFiles.list(file()), false);

        // then the gap is found at the first line of the file after it
        assertFalse(verification.ok());
        assertEquals(Optional.of(part(7, 9)), verification.brokenFile());
        assertEquals(1, verification.brokenLine());
        assertEquals(part(7, 9) + ": record 4 (line 1): seq 4 expected, found 7: records 4 to 6 are missing (a file"
                + " of the set deleted, or the files out of order?)", verification.message());
    }

    @Test
    void namesTheLineAfterAnEditedRecordInsideAFile() throws Exception {
        // given a record edited in the second file
        List<String> lines = new ArrayList<>(lines(part(4, 6)));
        lines.set(0, lines.get(0).replace("\"decision\":\"allow\"", "\"decision\":\"allov\""));
        writeLines(part(4, 6), lines);

        // when it is verified, then the next line of that file is named
        Verification verification = verify(AuditFiles.list(file()), false);
        assertFalse(verification.ok());
        assertEquals(Optional.of(part(4, 6)), verification.brokenFile());
        assertEquals(2, verification.brokenLine());
        assertEquals(part(4, 6) + ": record 5 (line 2): prev does not match the SHA-256 of line 1",
                verification.message());
    }

    @Test
    void namesTheNextFileWhenAFilesLastRecordWasEdited() throws Exception {
        // given the last record of the first file edited
        List<String> lines = new ArrayList<>(lines(part(1, 3)));
        lines.set(2, lines.get(2).replace("call-3", "call-X"));
        writeLines(part(1, 3), lines);

        // when it is verified, then the break is at the first line of the next file
        Verification verification = verify(AuditFiles.list(file()), false);
        assertFalse(verification.ok());
        assertEquals(part(4, 6) + ": record 4 (line 1): prev does not match the SHA-256 of the last line of "
                + part(1, 3), verification.message());
    }

    @Test
    void namesTheFirstFileOutOfOrder() {
        // given the files of the set in the wrong order
        List<Path> reordered = List.of(part(1, 3), part(7, 9), part(4, 6), file());

        // when they are verified, then the first file out of place is named
        Verification verification = verify(reordered, false);
        assertFalse(verification.ok());
        assertEquals(Optional.of(part(7, 9)), verification.brokenFile());
        assertEquals(1, verification.brokenLine());
        assertTrue(verification.message().contains("seq 4 expected, found 7"), verification.message());
    }

    @Test
    void aFileRenamedToOtherSeqsIsNamed() throws Exception {
        // given a rotated file whose name no longer says what it holds
        Path misnamed = part(4, 5);
        Files.move(part(4, 6), misnamed);

        // when the set is verified, then that file is named
        Verification verification = verify(AuditFiles.list(file()), false);
        assertFalse(verification.ok());
        assertEquals(Optional.of(misnamed), verification.brokenFile());
        assertEquals(misnamed + " is named for seqs 4 to 5 but holds 4 to 6", verification.message());
    }

    @Test
    void aPrunedSetIsRefusedUnlessPruningIsAllowed() throws Exception {
        // given the set without its oldest file, deleted by retention
        Files.delete(part(1, 3));

        // when it is verified as a whole log, then its start is named
        Verification whole = verify(AuditFiles.list(file()), false);
        assertFalse(whole.ok());
        assertEquals(Optional.of(part(4, 6)), whole.brokenFile());
        assertTrue(whole.message().contains("seq 1 expected, found 4: the log does not begin at its first record"),
                whole.message());

        // and with pruning allowed it holds from the first record there is
        Verification pruned = verify(AuditFiles.list(file()), true);
        assertTrue(pruned.ok(), pruned.message());
        assertEquals(8, pruned.records());
        assertEquals(4, pruned.firstSeq());
    }

    @Test
    void allowingPruningStillFindsAGapAfterTheFirstFile() throws Exception {
        // given a pruned set that also lost a file in the middle
        Files.delete(part(1, 3));
        Files.delete(part(7, 9));

        // when it is verified with pruning allowed, then the gap is found
        Verification verification = verify(AuditFiles.list(file()), true);
        assertFalse(verification.ok());
        assertEquals(Optional.of(file()), verification.brokenFile());
        assertTrue(verification.message().contains("records 7 to 9 are missing"), verification.message());
    }
}
