package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.lines;
import static dev.toolgate.audit.AuditFixtures.writeLines;
import static dev.toolgate.audit.AuditSets.intents;
import static dev.toolgate.audit.AuditSets.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.audit.AuditVerifier.Options;
import dev.toolgate.audit.AuditVerifier.Verification;

/**
 * A log cut short: the file alone cannot tell; a copy kept elsewhere (the checkpoint file, the export file) can, up to
 * what it holds.
 */
class AuditTruncationTest {

    @TempDir
    Path dir;
    private AuditKeys keys;
    private Path checkpoints;
    private Path export;

    /** r1 r2 r3 C4 r5 r6 r7 C8 r9 C10, with both copies. */
    @BeforeEach
    void writeACheckpointedLogWithCopies() {
        keys = AuditKeys.generate(dir, "audit-key");
        checkpoints = dir.resolve("elsewhere/checkpoints.jsonl");
        export = dir.resolve("elsewhere/export.jsonl");
        AuditSettings settings = AuditSettings.of(file(), 8).withCheckpoints(keys.checkpointKey("k"), 3,
                Duration.ofHours(1), Optional.of(checkpoints)).withExportFile(Optional.of(export));
        try (FileAuditLog log = new FileAuditLog(settings, CLOCK, null)) {
            intents(log, 1, 7);
        }
    }

    private Path file() {
        return dir.resolve("audit.jsonl");
    }

    private Verification verify(Optional<Path> copy) {
        return AuditVerifier.verify(AuditFiles.list(file()), new Options(List.of(CheckpointSignatures.readPublicKey(
                keys.publicPem())), copy, false));
    }

    private static void keep(Path file, int lines) throws Exception {
        writeLines(file, lines(file).subList(0, lines));
    }

    @Test
    void aLogCutBeforeItsLastCheckpointIsFoundByTheCheckpointFile() throws Exception {
        // given the log cut after record 7, its last two checkpoints gone
        keep(file(), 7);

        // when it is verified with the key alone, it holds: a shorter chain under a valid checkpoint
        Verification alone = verify(Optional.empty());
        assertTrue(alone.ok(), alone.message());
        assertEquals(3, alone.uncovered());

        // then against the checkpoint file kept elsewhere the cut is found
        Verification against = verify(Optional.of(checkpoints));
        assertFalse(against.ok());
        assertEquals("the log ends at seq 7, but " + checkpoints + " line 2 holds seq 8: records were cut off the"
                + " end of the log", against.message());
    }

    @Test
    void theCheckpointFileCannotSeeACutAfterItsLastCheckpointTheExportCan() throws Exception {
        // given a crash before the close, so that record 9 is the last and no checkpoint covers it
        keep(file(), 9);
        keep(checkpoints, 2);
        keep(export, 9);
        // and then record 9 cut off
        keep(file(), 8);

        // when it is verified against the checkpoint file, nothing is amiss: it ends in a checkpoint the log holds
        Verification byCheckpoints = verify(Optional.of(checkpoints));
        assertTrue(byCheckpoints.ok(), byCheckpoints.message());
        assertEquals(2, byCheckpoints.shippedMatched());

        // then the export, which has every line, finds it
        Verification byExport = verify(Optional.of(export));
        assertFalse(byExport.ok());
        assertEquals("the log ends at seq 8, but " + export + " line 9 holds seq 9: records were cut off the end of"
                + " the log", byExport.message());
    }

    @Test
    void aLogRewrittenAndSignedAgainWithTheStolenKeyDisagreesWithTheCopy() throws Exception {
        // given record 2 edited, and the chain and every checkpoint after it rebuilt with the private key
        List<String> lines = new ArrayList<>(lines(file()));
        lines.set(1, lines.get(1).replace("\"decision\":\"allow\"", "\"decision\":\"deny\""));
        lines = AuditSets.rechain(lines, 2);
        for (int i = 0; i < lines.size(); i++) {
            if (type(lines.get(i)).equals("checkpoint")) {
                ObjectNode checkpoint = (ObjectNode) AuditFixtures.JSON.readTree(lines.get(i));
                checkpoint.put("signature", CheckpointSignatures.sign(keys.pair().getPrivate(), i,
                        checkpoint.get("head_hash").textValue()));
                lines.set(i, AuditFixtures.JSON.writeValueAsString(checkpoint));
                lines = AuditSets.rechain(lines, i + 1);
            }
        }
        writeLines(file(), lines);

        // when it is verified with the key alone, the forgery holds
        assertTrue(verify(Optional.empty()).ok(), verify(Optional.empty()).message());

        // then the copy shipped before the edit names the first checkpoint that differs
        Verification against = verify(Optional.of(checkpoints));
        assertFalse(against.ok());
        assertEquals(4, against.brokenLine());
        assertEquals("record 4 (line 4): the record differs from " + checkpoints + " line 1", against.message());
    }

    @Test
    void aCopyOfAnotherLogIsRefused() throws Exception {
        // given a copy whose seqs go back, as when a new log was started next to the old copy
        Files.writeString(checkpoints, Files.readString(checkpoints) + lines(checkpoints).get(0) + "\n");

        // when it is used, then it is named
        Verification verification = verify(Optional.of(checkpoints));
        assertFalse(verification.ok());
        assertTrue(verification.message().contains(checkpoints + " line 4 holds seq 4 after seq 10"),
                verification.message());
    }

    @Test
    void aCopyWithRecordsOlderThanAPrunedLogStillChecksTheRest() throws Exception {
        // given a log whose first lines were pruned away (here: cut from the front, chain kept from record 5 on)
        List<String> lines = lines(file());
        writeLines(file(), lines.subList(4, lines.size()));

        // when it is verified with pruning allowed against the export, which holds records 1 to 10
        Verification verification = AuditVerifier.verify(AuditFiles.list(file()), new Options(List.of(), Optional
                .of(export), true));

        // then the export's older records are passed over and the rest must match
        assertTrue(verification.ok(), verification.message());
        assertEquals(6, verification.shippedMatched());
    }
}
