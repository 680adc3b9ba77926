package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.CREDENTIAL;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditFixtures.args;
import static dev.toolgate.audit.AuditFixtures.await;
import static dev.toolgate.audit.AuditFixtures.identified;
import static dev.toolgate.audit.AuditFixtures.received;
import static dev.toolgate.audit.AuditFixtures.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ApprovalTier;
import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import io.smallrye.mutiny.Uni;

/** What each kind of record says. */
class AuditRecordContentTest {

    @TempDir
    Path dir;

    private ObjectNode only(java.util.function.Function<FileAuditLog, Uni<Void>> append) throws Exception {
        return only(CLOCK, append);
    }

    private ObjectNode only(Clock clock, java.util.function.Function<FileAuditLog, Uni<Void>> append)
            throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog log = new FileAuditLog(file, 256, clock)) {
            await(append.apply(log));
        }
        List<ObjectNode> records = records(file);
        assertEquals(1, records.size());
        return records.get(0);
    }

    @Test
    void intentRecordHasEveryMemberInTheFixedOrder() throws Exception {
        // given an allowed call that needs an approval
        ObjectNode callArgs = args("{\"amount\": 1200, \"currency\": \"EUR\"}");
        ToolCall call = allowed("dec-1", callArgs, ApprovalTier.REQUIRED, List.of());

        // when its intent is recorded
        ObjectNode record = only(log -> log.intent(call, "bundle-7"));

        // then the members come in the documented order with the call's values
        List<String> names = new ArrayList<>();
        record.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("seq", "time", "type", "decision_id", "protocol", "principal", "run_id", "tool", "action",
                "degraded_from", "args_sha256", "args", "decision", "approval", "reason", "detail", "policy_revision", "status",
                "latency_ms", "cost_usd_micros", "trace_id", "policy", "input", "prev"),
                names);
        assertEquals(1, record.get("seq").longValue());
        assertEquals("2026-05-02T18:30:12.345Z", record.get("time").textValue());
        assertEquals("intent", record.get("type").textValue());
        assertEquals("dec-1", record.get("decision_id").textValue());
        assertEquals("http", record.get("protocol").textValue());
        assertEquals(args("{\"agent\":\"support-bot\",\"tenant\":\"acme\",\"workflow\":\"billing-dispute\","
                + "\"roles\":[\"agent\",\"support\"],\"authenticated_by\":\"jwt\"}"), record.get("principal"));
        assertEquals("run-42", record.get("run_id").textValue());
        assertEquals("payments", record.get("tool").textValue());
        assertEquals("refunds.create", record.get("action").textValue());
        assertEquals(CanonicalJson.sha256(callArgs), record.get("args_sha256").textValue());
        assertEquals(callArgs, record.get("args"));
        assertEquals("allow", record.get("decision").textValue());
        assertEquals("required", record.get("approval").textValue());
        assertTrue(record.get("reason").isNull());
        assertTrue(record.get("detail").isNull());
        assertEquals("bundle-7", record.get("policy_revision").textValue());
        assertTrue(record.get("status").isNull());
        assertEquals("0".repeat(64), record.get("prev").textValue());
    }

    @Test
    void timeAlwaysHasMilliseconds() throws Exception {
        // given a clock on a whole second
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

        // when a record is written
        ObjectNode record = only(clock, log -> log.intent(allowed("dec-1"), "bundle-7"));

        // then its time still has three fraction digits
        assertEquals("2026-01-01T00:00:00.000Z", record.get("time").textValue());
    }

    @Test
    void deniedRecordCarriesReasonCodeAndDetail() throws Exception {
        // given a call the contract stage refused
        ToolCall call = identified("dec-2", "{}");
        Denial denial = Denial.of(Reason.TOOL_NOT_GRANTED, "support-bot may not call payments");

        // when the denial is recorded
        ObjectNode record = only(log -> log.denied(call, "bundle-7", denial));

        // then it says deny, with the stable reason code and the detail
        assertEquals("denied", record.get("type").textValue());
        assertEquals("deny", record.get("decision").textValue());
        assertEquals("tool_not_granted", record.get("reason").textValue());
        assertEquals("support-bot may not call payments", record.get("detail").textValue());
        assertTrue(record.get("status").isNull());
        assertTrue(record.get("approval").isNull());
    }

    @Test
    void unauthenticatedDenialHasNoPrincipalActionOrArguments() throws Exception {
        // given a call nobody could identify
        ToolCall call = received("dec-3", "{\"amount\": 5}");

        // when it is denied
        ObjectNode record = only(log -> log.denied(call, "bundle-7",
                Denial.of(Reason.UNAUTHENTICATED, "no valid credential")));

        // then nothing resolved is claimed, and neither the credential nor the body is written
        assertTrue(record.get("principal").isNull());
        assertTrue(record.get("action").isNull());
        assertTrue(record.get("args_sha256").isNull());
        assertTrue(record.get("args").isNull());
        assertEquals("unauthenticated", record.get("reason").textValue());
        String line = Files.readString(dir.resolve("audit.jsonl"));
        assertFalse(line.contains(CREDENTIAL.substring(7)), line);
        assertFalse(line.contains("amount"), line);
    }

    @Test
    void outcomeRecordCarriesTheUpstreamStatus() throws Exception {
        // given a forwarded call the tool answered
        ToolCall call = allowed("dec-4");

        // when its outcome is recorded
        ObjectNode record = only(log -> log.outcome(call, "bundle-7", "201", Optional.empty()));

        // then it is an allowed outcome with the status and no reason
        assertEquals("outcome", record.get("type").textValue());
        assertEquals("allow", record.get("decision").textValue());
        assertEquals("201", record.get("status").textValue());
        assertTrue(record.get("reason").isNull());
    }

    @Test
    void failedOutcomeCarriesTheFailureReason() throws Exception {
        // given a forwarded call whose upstream timed out
        ToolCall call = allowed("dec-5");
        Denial timeout = Denial.of(Reason.UPSTREAM_TIMEOUT, "payments did not answer within 5s");

        // when its outcome is recorded
        ObjectNode record = only(log -> log.outcome(call, "bundle-7", "failed", Optional.of(timeout)));

        // then the record keeps the status and the failure's reason and detail
        assertEquals("failed", record.get("status").textValue());
        assertEquals("upstream_timeout", record.get("reason").textValue());
        assertEquals("payments did not answer within 5s", record.get("detail").textValue());
    }

    @Test
    void dryRunIsAllowWithoutADenial() throws Exception {
        // given a dry run that would have been forwarded
        ToolCall call = allowed("dec-6");

        // when the proposal is recorded
        ObjectNode record = only(log -> log.proposed(call, "bundle-7", Optional.empty()));

        // then it is an allowing dry_run record
        assertEquals("dry_run", record.get("type").textValue());
        assertEquals("allow", record.get("decision").textValue());
        assertTrue(record.get("reason").isNull());
    }

    @Test
    void dryRunIsDenyWithADenial() throws Exception {
        // given a dry run the budget would have stopped
        ToolCall call = allowed("dec-7");
        Denial budget = Denial.of(Reason.BUDGET_EXCEEDED, "run budget of 5 USD spent");

        // when the proposal is recorded
        ObjectNode record = only(log -> log.proposed(call, "bundle-7", Optional.of(budget)));

        // then it is a denying dry_run record with the reason
        assertEquals("dry_run", record.get("type").textValue());
        assertEquals("deny", record.get("decision").textValue());
        assertEquals("budget_exceeded", record.get("reason").textValue());
        assertEquals("run budget of 5 USD spent", record.get("detail").textValue());
    }
}
