package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditFixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.ApprovalEvent;

/** The run index: follows the log, survives a restart, and is made again when it does not match the log. */
class RunIndexTest {

    @TempDir
    Path dir;

    private static ToolCall inRun(String id, String run) {
        return allowed(id).withRunId(run);
    }

    private static List<String> ids(List<ObjectNode> records) {
        return records.stream().map(r -> r.path("type").asText() + ":" + r.path("decision_id").asText()
                + r.path("event").asText("")).toList();
    }

    @Test
    void indexesTheRecordsOfEachRunAndFollowsTheLog() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        try (FileAuditLog audit = new FileAuditLog(log, 256, CLOCK); RunIndex index = RunIndex.beside(log)) {
            // given calls of two runs and one without a run
            await(audit.intent(inRun("d-1", "run-a"), "r1"));
            await(audit.outcome(inRun("d-1", "run-a"), "r1", "200", Optional.empty()));
            await(audit.intent(inRun("d-2", "run-b"), "r1"));
            await(audit.intent(inRun("d-3", ""), "r1"));

            // then each run has its records, in log order
            assertEquals(List.of("intent:d-1", "outcome:d-1"), ids(index.records("acme", "run-a")));
            assertEquals(List.of("intent:d-2"), ids(index.records("acme", "run-b")));
            assertEquals(List.of(), index.records("globex", "run-a"), "runs are per tenant");

            // when the log grows, with an approval opened before the denial of the call that asked for it
            await(audit.approval(new ApprovalEvent("opened", "ap-1", "d-4", "acme", "support-bot", "payments",
                    "refunds.create", "h", "required", "pending")));
            await(audit.denied(inRun("d-4", "run-a"), "r1", Denial.of(Reason.APPROVAL_REQUIRED, "needs approval")));
            await(audit.approval(new ApprovalEvent("approved", "ap-1", "", "acme", "approver-1", "payments",
                    "refunds.create", "h", "required", "approved")));

            // then the index follows it, the approval's events under the run of its call
            assertEquals(List.of("intent:d-1", "outcome:d-1", "approval:d-4opened", "denied:d-4",
                    "approval:approved"), ids(index.records("acme", "run-a")));
            assertEquals(List.of("run-a", "run-b"), index.runs("acme", Optional.empty(), Instant.EPOCH, 10).stream()
                    .map(RunIndex.RunSummary::runId).sorted().toList());
            assertEquals(List.of("run-a"), index.runs("acme", Optional.of("support-bot"), Instant.EPOCH, 1).stream()
                    .map(RunIndex.RunSummary::runId).limit(1).filter("run-a"::equals).toList());
        }
    }

    @Test
    void survivesARestartAndCatchesUpWithWhatWasWrittenMeanwhile() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        try (FileAuditLog audit = new FileAuditLog(log, 256, CLOCK); RunIndex index = RunIndex.beside(log)) {
            await(audit.intent(inRun("d-1", "run-a"), "r1"));
            assertEquals(1, index.records("acme", "run-a").size());
        }
        Path indexFile = dir.resolve("audit.jsonl.runs");
        assertTrue(Files.size(indexFile) > 0, "the index is kept beside the log");
        try (FileAuditLog audit = new FileAuditLog(log, 256, CLOCK)) {
            await(audit.intent(inRun("d-2", "run-a"), "r1"));
        }

        // when a new index is opened on the same files
        try (RunIndex index = RunIndex.beside(log)) {
            // then it has what it kept and what the log gained while it was closed, nothing twice
            assertEquals(List.of("intent:d-1", "intent:d-2"), ids(index.records("acme", "run-a")));
        }
        assertEquals(2, Files.readAllLines(indexFile).size());
    }

    @Test
    void anIndexThatDoesNotMatchTheLogIsMadeAgain() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        try (FileAuditLog audit = new FileAuditLog(log, 256, CLOCK); RunIndex index = RunIndex.beside(log)) {
            await(audit.intent(inRun("d-1", "run-a"), "r1"));
            await(audit.intent(inRun("d-2", "run-a"), "r1"));
            index.records("acme", "run-a");
        }
        // given an index whose last entry points into the middle of a record
        Path indexFile = dir.resolve("audit.jsonl.runs");
        String text = Files.readString(indexFile).replace("\"o\":", "\"o\":1");
        Files.writeString(indexFile, text);

        try (RunIndex index = RunIndex.beside(log)) {
            assertEquals(List.of("intent:d-1", "intent:d-2"), ids(index.records("acme", "run-a")));
        }

        // and one that is not JSON at all
        Files.writeString(indexFile, "garbage\n");
        try (RunIndex index = RunIndex.beside(log)) {
            assertEquals(List.of("intent:d-1", "intent:d-2"), ids(index.records("acme", "run-a")));
        }
    }

    @Test
    void followsTheLogAcrossRotationsAndReadsRotatedFiles() throws Exception {
        // given a log rotated every few hundred bytes, and an index reading it while it rotates
        Path log = dir.resolve("audit.jsonl");
        AuditSettings settings = AuditSettings.of(log, 1).withRotation(java.util.OptionalLong.of(600),
                Optional.empty());
        try (FileAuditLog audit = new FileAuditLog(settings, CLOCK, null); RunIndex index = RunIndex.beside(log)) {
            for (int i = 1; i <= 6; i++) {
                await(audit.intent(inRun("d-" + i, i % 2 == 0 ? "run-even" : "run-odd"), "r1"));
                if (i == 3) {
                    assertEquals(List.of("intent:d-1", "intent:d-3"), ids(index.records("acme", "run-odd")));
                }
            }
            assertTrue(AuditFiles.list(log).size() > 2, "the log rotated: " + AuditFiles.list(log));

            // then every record of a run is found, whichever file it is in now
            assertEquals(List.of("intent:d-1", "intent:d-3", "intent:d-5"), ids(index.records("acme", "run-odd")));
            assertEquals(List.of("intent:d-2", "intent:d-4", "intent:d-6"), ids(index.records("acme", "run-even")));
        }

        // and a new index (a restart) reads its entries back against the rotated files
        try (RunIndex index = RunIndex.beside(log)) {
            assertEquals(List.of("intent:d-2", "intent:d-4", "intent:d-6"), ids(index.records("acme", "run-even")));
        }
        // and one made from nothing reads them all again
        java.nio.file.Files.delete(dir.resolve("audit.jsonl.runs"));
        try (RunIndex index = RunIndex.beside(log)) {
            assertEquals(List.of("intent:d-1", "intent:d-3", "intent:d-5"), ids(index.records("acme", "run-odd")));
        }
    }
}
