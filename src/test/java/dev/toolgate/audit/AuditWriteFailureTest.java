package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditFixtures.failureOf;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import io.smallrye.mutiny.Uni;

/**
 * A log whose writes fail. {@code /dev/full} opens like an empty file and fails every write with ENOSPC, the way a full
 * disk does; a directory or an unwritable path is refused at start instead (see {@link AuditStartTest}).
 */
class AuditWriteFailureTest {

    private static final Path FULL = Path.of("/dev/full");

    @Test
    void uniFailsWhenTheRecordCannotBeWritten() {
        assertTrue(Files.isWritable(FULL), "the write-failure tests need Linux's /dev/full (every write fails there)");
        // given a log on a device that is always full
        try (FileAuditLog log = new FileAuditLog(FULL, 256, CLOCK)) {

            // when records are appended
            Throwable intent = failureOf(log.intent(allowed("call-1"), "bundle-7"));
            Throwable denied = failureOf(log.denied(allowed("call-2"), "bundle-7",
                    Denial.of(Reason.POLICY_DENIED, "no")));

            // then each Uni fails, naming the file, instead of claiming a durable record
            assertInstanceOf(IOException.class, intent);
            assertTrue(intent.getMessage().contains(FULL.toString()), intent.getMessage());
            assertInstanceOf(IOException.class, denied);
        }
    }

    @Test
    void everyRecordOfAFailedBatchFails() {
        assertTrue(Files.isWritable(FULL), "the write-failure tests need Linux's /dev/full (every write fails there)");
        // given a log on a full device, committing in batches
        try (FileAuditLog log = new FileAuditLog(FULL, 4, CLOCK)) {

            // when many records are appended at once
            List<Uni<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                writes.add(log.outcome(allowed("call-" + i), "bundle-7", "200", Optional.empty()));
            }

            // then not one of them is acknowledged
            for (Uni<Void> write : writes) {
                assertInstanceOf(IOException.class, failureOf(write));
            }
        }
    }
}
