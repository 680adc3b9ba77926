package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditFixtures.await;
import static dev.toolgate.audit.AuditFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;

/**
 * The outcome of a forwarded call may be answered once written, before its fsync ({@code toolgate.audit.
 * outcome-sync-delay}); every other record is durable before it is answered, and nothing stays unsynced for longer
 * than the delay or past close.
 */
class DeferredOutcomeSyncTest {

    @TempDir
    Path dir;

    @Test
    void anOutcomeIsAnsweredOnceWrittenAndSyncedWithTheNextIntent() throws Exception {
        // given a log whose outcomes may wait far longer than the test
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog log = new FileAuditLog(file, 8, CLOCK, Duration.ofMinutes(10))) {
            // when a call's intent and then its outcome are recorded
            long afterIntent = intentThenOutcome(log);

            // then the outcome is in the file, answered without an fsync of its own
            assertEquals(2, lines(file).size());
            assertEquals(afterIntent, log.syncs());

            // and the next intent's fsync makes it durable with that intent
            await(log.intent(allowed("call-2"), "bundle-7"));
            assertEquals(afterIntent + 1, log.syncs());
            assertEquals(3, lines(file).size());
        }
    }

    @Test
    void anUnsyncedOutcomeIsSyncedOnItsOwnOnceTheDelayHasPassed() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog log = new FileAuditLog(file, 8, CLOCK, Duration.ofMillis(50))) {
            // when an outcome is answered before its fsync and nothing else comes
            long afterIntent = intentThenOutcome(log);

            // then the writer syncs it by itself soon after the delay
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> log.syncs() == afterIntent + 1);
        }
    }

    @Test
    void closeSyncsWhatIsStillUnsynced() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        FileAuditLog log = new FileAuditLog(file, 8, CLOCK, Duration.ofMinutes(10));
        await(log.intent(allowed("call-1"), "bundle-7"));
        await(log.outcome(allowed("call-1"), "bundle-7", "200", Optional.empty()));
        long beforeClose = log.syncs();

        // when
        log.close();

        // then
        assertEquals(beforeClose + 1, log.syncs());
        assertEquals(2, lines(file).size());
    }

    @Test
    void everyOtherRecordIsDurableBeforeItIsAnswered() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog log = new FileAuditLog(file, 8, CLOCK, Duration.ofMinutes(10))) {
            long syncs = log.syncs();

            await(log.denied(allowed("call-1"), "bundle-7", Denial.of(Reason.POLICY_DENIED, "no")));
            assertEquals(++syncs, log.syncs());
            await(log.proposed(allowed("call-2"), "bundle-7", Optional.empty()));
            assertEquals(++syncs, log.syncs());
            await(log.replayed(allowed("call-3"), "bundle-7", "call-0"));
            assertEquals(++syncs, log.syncs());
            await(log.failOpen(allowed("call-4"), "bundle-7", "limits", "rate unchecked"));
            assertEquals(++syncs, log.syncs());
            await(log.intent(allowed("call-5"), "bundle-7"));
            assertEquals(++syncs, log.syncs());
        }
    }

    @Test
    void withoutADelayEveryOutcomeIsSyncedBeforeItIsAnswered() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog log = new FileAuditLog(file, 8, CLOCK)) {
            long afterIntent = intentThenOutcome(log);

            assertEquals(afterIntent + 1, log.syncs());
        }
    }

    /** Records a call's intent, then its outcome; answers how many fsyncs there were once the intent was durable. */
    private static long intentThenOutcome(FileAuditLog log) {
        await(log.intent(allowed("call-1"), "bundle-7"));
        long afterIntent = log.syncs();
        await(log.outcome(allowed("call-1"), "bundle-7", "200", Optional.empty()));
        return afterIntent;
    }

    @Test
    void refusesANegativeDelay() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FileAuditLog(dir.resolve("audit.jsonl"), 8, CLOCK, Duration.ofMillis(-1)));
        assertTrue(e.getMessage().contains("toolgate.audit.outcome-sync-delay"), e.getMessage());
    }
}
