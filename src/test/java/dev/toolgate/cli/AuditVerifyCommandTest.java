package dev.toolgate.cli;

import static dev.toolgate.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.toolgate.audit.AuditFiles;
import dev.toolgate.audit.AuditKeys;
import dev.toolgate.audit.AuditSettings;
import dev.toolgate.audit.FileAuditLog;
import dev.toolgate.pipeline.ApprovalEvent;
import dev.toolgate.testing.Cli.Run;

/** {@code audit verify} over a rotated, checkpointed log: exit 0 when it holds, 1 when broken, 2 when unreadable. */
class AuditVerifyCommandTest {

    @TempDir
    Path dir;
    private AuditKeys keys;
    private Path log;
    private Path checkpoints;

    /** Six approval events, a file each, a checkpoint closing every file: audit.1-2, audit.3-4, … audit.jsonl. */
    @BeforeEach
    void writeARotatedCheckpointedLog() {
        keys = AuditKeys.generate(dir, "audit-key");
        log = dir.resolve("audit.jsonl");
        checkpoints = dir.resolve("shipped/checkpoints.jsonl");
        AuditSettings settings = AuditSettings.of(log, 8).withRotation(OptionalLong.of(1), Optional.empty())
                .withCheckpoints(keys.checkpointKey("audit-2026"), 1000, Duration.ofHours(1),
                        Optional.of(checkpoints));
        try (FileAuditLog audit = new FileAuditLog(settings, Clock.systemUTC(), null)) {
            for (int i = 1; i <= 6; i++) {
                audit.approval(new ApprovalEvent("opened", "apr-" + i, "call-" + i, "acme", "support-bot", "payments",
                        "refunds.create", "0".repeat(64), "required", "pending")).await().atMost(Duration.ofSeconds(10));
            }
        }
        assertEquals(6, AuditFiles.list(log).size());
    }

    @Test
    void acceptsTheRotatedSetWithItsKeyAndCopy() {
        Run run = run("audit", "verify", "--key", keys.publicPem().toString(), "--checkpoints", checkpoints
                .toString(), log.toString());

        assertEquals(0, run.status(), run.err());
        assertEquals(log + ": ok, 12 records in 6 files, chain intact; 6 checkpoints, signatures verified, the last at"
                + " seq 12; 6 records of " + checkpoints + " found in it\n", run.out());
    }

    @Test
    void withoutAKeySaysTheSignaturesWereNotChecked() {
        Run run = run("audit", "verify", log.toString());

        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("6 checkpoints, signatures not checked (no --key)"), run.out());
    }

    @Test
    void anotherKeyIsBroken() {
        Path other = AuditKeys.generate(dir, "other").publicPem();

        Run run = run("audit", "verify", "--key", other.toString(), log.toString());

        assertEquals(1, run.status());
        Path first = AuditFiles.rotatedName(log, 1, 2);
        assertEquals(log + ": BROKEN: " + first + ": record 2 (line 2): the checkpoint's signature (key_id"
                + " \"audit-2026\") does not verify with the key given\n", run.err());
    }

    @Test
    void aLogCutBeforeItsLastCheckpointIsBrokenAgainstTheCopy() throws Exception {
        // given the active file, with the last record and its checkpoint, gone
        Files.delete(log);

        // then the key alone accepts what is left, and the copy does not
        assertEquals(0, run("audit", "verify", "--key", keys.publicPem().toString(), log.toString()).status());
        Run run = run("audit", "verify", "--key", keys.publicPem().toString(), "--checkpoints", checkpoints
                .toString(), log.toString());
        assertEquals(1, run.status());
        assertTrue(run.err().contains("the log ends at seq 10, but " + checkpoints + " line 6 holds seq 12: records"
                + " were cut off the end of the log"), run.err());
    }

    @Test
    void aPrunedSetIsBrokenUnlessAllowed() throws Exception {
        Files.delete(AuditFiles.rotatedName(log, 1, 2));

        Run strict = run("audit", "verify", log.toString());
        Run allowed = run("audit", "verify", "--allow-pruned", "--key", keys.publicPem().toString(), log.toString());

        assertEquals(1, strict.status());
        assertTrue(strict.err().contains("--allow-pruned"), strict.err());
        assertEquals(0, allowed.status(), allowed.err());
        assertTrue(allowed.out().contains("ok, 10 records in 5 files from seq 3 (older records pruned)"),
                allowed.out());
    }

    @Test
    void takesFilesGivenOneByOneInTheirOrder() {
        Path first = AuditFiles.rotatedName(log, 1, 2);
        Path second = AuditFiles.rotatedName(log, 3, 4);

        Run inOrder = run("audit", "verify", first.toString(), second.toString());
        Run swapped = run("audit", "verify", second.toString(), first.toString());

        assertEquals(0, inOrder.status(), inOrder.err());
        assertTrue(inOrder.out().contains("ok, 4 records in 2 files"), inOrder.out());
        assertEquals(1, swapped.status());
        assertTrue(swapped.err().contains(second + ": record 1 (line 1): seq 1 expected, found 3"), swapped.err());
    }

    @Test
    void aFileOrKeyThatCannotBeReadExitsTwo() {
        Path missing = dir.resolve("missing.jsonl");

        Run noLog = run("audit", "verify", missing.toString());
        Run noKey = run("audit", "verify", "--key", dir.resolve("missing.pem").toString(), log.toString());
        Run noCopy = run("audit", "verify", "--checkpoints", dir.resolve("missing-copy.jsonl").toString(),
                log.toString());
        Run privateKey = run("audit", "verify", "--key", keys.privatePem().toString(), log.toString());

        assertEquals(List.of(2, 2, 2, 2), List.of(noLog.status(), noKey.status(), noCopy.status(),
                privateKey.status()));
        assertTrue(noLog.err().contains(missing + ": no audit log there"), noLog.err());
        assertTrue(noKey.err().contains("cannot read the key"), noKey.err());
        assertTrue(noCopy.err().contains("missing-copy.jsonl"), noCopy.err());
        assertTrue(privateKey.err().contains("give the public key: `openssl pkey -in"), privateKey.err());
    }
}
