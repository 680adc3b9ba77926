package dev.toolgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.toolgate.testing.CallLoad;
import dev.toolgate.testing.ProcessWorld;
import dev.toolgate.testing.ToolgateProcess;

/**
 * {@code kill -9} of a toolgate process under load: the audit log it leaves verifies up to at most a torn last line
 * (a write the kill interrupted, never acknowledged), every call the tool received and every answer an agent got is
 * in it, and toolgate started again on the same log cuts the torn line off and continues the chain.
 */
class KillNineIT {

    private static final String SUPPORT = "Bearer demo-support-key";

    static List<CallLoad.Kind> calls(URI base) {
        return List.of(
                new CallLoad.Kind("refund", n -> CallLoad.post(base, "/tools/payments/refunds", SUPPORT,
                        "{\"charge\":\"ch_" + n + "\",\"amount_usd_micros\":" + (1000 + n) + ",\"tenant\":\"acme\"}")),
                new CallLoad.Kind("lookup", n -> CallLoad.request(base, "/tools/payments/charges/ch_" + n, SUPPORT)),
                // denied: support-bot has no grant of deploy (a denied record, nothing forwarded)
                new CallLoad.Kind("denied", n -> CallLoad.post(base, "/tools/deploy/deployments", SUPPORT,
                        "{\"service\":\"api\",\"environment\":\"dev\"}")));
    }

    @Test
    @Timeout(300)
    void aKilledGatewayLeavesAtMostATornLastLineAndARestartContinuesTheChain() throws Exception {
        try (ProcessWorld world = ProcessWorld.start("kill-nine")) {
            Path audit = world.auditFile();

            // given toolgate under load from 8 agents' threads
            List<CallLoad.Result> results;
            try (ToolgateProcess toolgate = ToolgateProcess.start(world.config(), 0, world.log())) {
                CallLoad load = CallLoad.start(8, calls(toolgate.base()));
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> load.results().stream().filter(r -> r.status() == 201).count() >= 100);

                // when it is killed mid-load
                toolgate.kill();
                results = load.stop();
            }
            assertTrue(results.stream().anyMatch(r -> r.status() == 0), "no call was cut off by the kill");

            // then the log verifies, up to at most a torn last line
            ToolgateProcess.CliResult verified = ToolgateProcess.cli("audit", "verify", audit.toString());
            boolean torn = verified.exitCode() == 1;
            assertTrue(verified.exitCode() == 0 && verified.output().contains("chain intact")
                    || torn && verified.output().contains("partial record at the end of the file"), verified.output());

            // and nothing went out unrecorded: every call the tool received, and every answer an agent got, is in it
            AuditLines log = AuditLines.read(audit);
            Set<String> received = world.tools().received().stream()
                    .map(r -> r.headers().get("toolgate-decision-id")).collect(Collectors.toSet());
            assertFalse(received.isEmpty());
            for (String id : received) {
                assertTrue(log.has(id, "intent"), "the tool received call " + id + " without an intent record");
            }
            for (CallLoad.Result r : results) {
                if (r.status() == 201 || r.status() == 200 || r.status() == 504) {
                    // forwarded (a 504: the sample tool was slower than its 500 ms on a busy machine)
                    assertTrue(log.has(r.decisionId(), "intent") && log.has(r.decisionId(), "outcome"),
                            "answered " + r.status() + " without intent and outcome: " + r.decisionId());
                } else if (r.status() == 403) {
                    assertTrue(log.has(r.decisionId(), "denied"), "denied without a record: " + r.decisionId());
                }
            }

            // a torn last line is what a kill in the middle of a write leaves; this kill may have fallen between two
            // writes, so make sure the restart meets one
            if (!torn) {
                byte[] lastLine = log.last().getBytes(StandardCharsets.UTF_8);
                Files.write(audit, java.util.Arrays.copyOf(lastLine, lastLine.length / 2), StandardOpenOption.APPEND);
                assertEquals(1, ToolgateProcess.cli("audit", "verify", audit.toString()).exitCode());
            }
            long lastSeq = log.lastSeq();

            // when toolgate starts again on the same log and takes calls
            try (ToolgateProcess again = ToolgateProcess.start(world.config(), 0, world.log())) {
                CallLoad load = CallLoad.start(4, calls(again.base()));
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> load.results().stream().filter(r -> r.status() == 201).count() >= 20);
                List<CallLoad.Result> after = load.stop();
                assertTrue(after.stream().allMatch(r -> r.status() == 201 || r.status() == 200 || r.status() == 403
                        || r.status() == 504), after.toString());
                again.stop();
            }

            // then the torn line is gone and the chain continues from the last whole record (verify checks every seq
            // and prev from the first record on)
            verified = ToolgateProcess.cli("audit", "verify", audit.toString());
            assertEquals(0, verified.exitCode(), verified.output());
            AuditLines continued = AuditLines.read(audit);
            assertTrue(continued.lastSeq() > lastSeq + 20, "the chain did not continue: " + continued.lastSeq());
            assertTrue(Files.readString(world.log()).contains("ended in a partial record"),
                    "the restart did not say it cut off the torn line");
        }
    }
}
