package dev.toolgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * The audit disk fills up while toolgate runs under load. The process may write no file past 128 KiB (the shell's
 * {@code ulimit -f}), so once the log reaches that size every write fails (EFBIG, where a full disk says ENOSPC; the
 * writer cannot tell them apart and need not). From then on calls are refused with {@code gateway_error} and never
 * forwarded unaudited, the log stays a valid chain (a failed batch is cut off), and once there is room again (a
 * restart without the limit) the chain continues.
 */
class AuditDiskFillsIT {

    private static final long MAX_FILE_KIB = 128;

    @Test
    @Timeout(300)
    void callsAreRefusedOnceTheLogCannotGrowAndNothingGoesOutUnaudited() throws Exception {
        try (ProcessWorld world = ProcessWorld.start("disk-fills")) {
            Path audit = world.auditFile();

            // given toolgate under load, on a disk with room for 128 KiB of audit log
            List<CallLoad.Result> results;
            try (ToolgateProcess toolgate = ToolgateProcess.start(world.config(), MAX_FILE_KIB,
                    world.log("toolgate-limited"))) {
                CallLoad load = CallLoad.start(8, KillNineIT.calls(toolgate.base()));

                // when the log has filled its room
                Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> load.results().stream().filter(r -> r.status() == 500).count() >= 50);
                results = load.stop();

                // then the process is still there, the log is a whole chain within its room
                assertTrue(toolgate.isAlive(), "toolgate died when its log could not grow");
                assertTrue(Files.size(audit) <= MAX_FILE_KIB * 1024, "the log grew past the limit: " + Files.size(audit));
                ToolgateProcess.CliResult verified = ToolgateProcess.cli("audit", "verify", audit.toString());
                assertEquals(0, verified.exitCode(), verified.output());
            }

            // and every refusal is the gateway's own, every forwarded call and every answer was recorded first
            AuditLines log = AuditLines.read(audit);
            Set<String> received = world.tools().received().stream()
                    .map(r -> r.headers().get("toolgate-decision-id")).collect(Collectors.toSet());
            assertTrue(results.stream().anyMatch(r -> r.status() == 201), "nothing went through before the disk filled");
            for (String id : received) {
                assertTrue(log.has(id, "intent"), "the tool received call " + id + " without an intent record");
            }
            for (CallLoad.Result r : results) {
                switch (r.status()) {
                    case 500 -> {
                        assertEquals("gateway_error", r.reason(), r.body());
                        assertTrue(!received.contains(r.decisionId()), "refused, yet forwarded: " + r.decisionId());
                    }
                    // forwarded (the sample tool may be slow on a busy machine: 504 after the tool's 500 ms)
                    case 200, 201, 504 -> assertTrue(log.has(r.decisionId(), "intent"),
                            "answered without an intent record: " + r.decisionId());
                    case 403 -> assertTrue(log.has(r.decisionId(), "denied"), "denied without a record: " + r.decisionId());
                    // a tool slow enough on a busy machine opens its circuit breaker: later calls are recorded, not sent
                    case 502 -> {
                        assertEquals("upstream_unavailable", r.reason(), r.body());
                        assertTrue(log.has(r.decisionId(), "intent"), "refused without a record: " + r.decisionId());
                        assertTrue(!received.contains(r.decisionId()), "refused, yet forwarded: " + r.decisionId());
                    }
                    default -> throw new AssertionError("unexpected answer " + r.status() + ": " + r.body());
                }
            }

            // when there is room again
            try (ToolgateProcess again = ToolgateProcess.start(world.config(), 0, world.log())) {
                CallLoad load = CallLoad.start(4, KillNineIT.calls(again.base()));
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> load.results().stream().filter(r -> r.status() == 201).count() >= 20);
                List<CallLoad.Result> after = load.stop();

                // then calls go through again, and the chain continues
                assertTrue(after.stream().noneMatch(r -> r.status() == 500 || r.status() == 0), after.toString());
                again.stop();
            }
            ToolgateProcess.CliResult verified = ToolgateProcess.cli("audit", "verify", audit.toString());
            assertEquals(0, verified.exitCode(), verified.output());
            assertTrue(AuditLines.read(audit).lastSeq() > log.lastSeq());
        }
    }
}
