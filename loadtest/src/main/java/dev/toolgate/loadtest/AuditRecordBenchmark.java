package dev.toolgate.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.toolgate.audit.AuditBenchmarkAccess;
import dev.toolgate.audit.FileAuditLog;
import dev.toolgate.call.ApprovalTier;
import dev.toolgate.call.Decision;
import dev.toolgate.call.ToolCall;

/**
 * One audit record of the demo refund (an intent record, {@code customer_email} redacted as the bundled policy asks):
 * <ul>
 * <li>{@code durable}: appended through {@link FileAuditLog} to a file in a temporary directory and waited for, as the
 * pipeline waits before it forwards a call: the hand-off to the writer thread, the record built, serialised and
 * chained, the write, <b>the fsync</b> ({@code FileChannel.force(false)}) and the hand-back. One caller, so every
 * group commit holds one record: the cost of a record when the gateway is not busy;</li>
 * <li>{@code line}: the same record built, serialised and hashed into the chain, no I/O.</li>
 * </ul>
 * The temporary directory is on the machine's disk unless {@code java.io.tmpdir} says otherwise.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AuditRecordBenchmark {

    private static final String REVISION = "sha256:policy-benchmark";

    private Path directory;
    private FileAuditLog log;
    private ToolCall call;
    private long seq;
    private String prev = "0".repeat(64);

    @Setup
    public void start() throws IOException {
        directory = Files.createTempDirectory("toolgate-audit-benchmark");
        log = new FileAuditLog(directory.resolve("audit.jsonl"), 256, Clock.systemUTC());
        Decision allowed = new Decision(true, List.of("refund within the unattended limit"), ApprovalTier.NONE,
                List.of("/customer_email"), REVISION);
        call = new RefundCall().resolved("audit-benchmark").withDecision(allowed);
    }

    @TearDown
    public void stop() throws IOException {
        log.close();
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    @Benchmark
    public Void durable() {
        return log.intent(call, REVISION).await().indefinitely();
    }

    @Benchmark
    public String line() throws IOException {
        prev = AuditBenchmarkAccess.intentLine(call, REVISION, ++seq, prev);
        return prev;
    }
}
