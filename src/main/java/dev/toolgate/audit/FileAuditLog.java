package dev.toolgate.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.audit.AuditRecords.Type;
import dev.toolgate.audit.GroupCommit.Pending;
import dev.toolgate.call.Denial;
import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.ApprovalEvent;
import dev.toolgate.pipeline.AuditLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The audit log as a local file of hash-chained JSON lines (see the {@linkplain dev.toolgate.audit package} for the
 * record format).
 * <p>
 * One writer thread, {@code toolgate-audit}, owns the file: it takes up to {@code maxBatch} queued records, writes
 * them, fsyncs once and only then completes their {@code Uni}s, back on the caller's Vert.x context when there is one.
 * The exception is the outcome of a forwarded call, whose intent is already durable: with an {@code outcomeSyncDelay}
 * above zero its {@code Uni} completes once it is written, and it becomes durable with the next batch that is synced,
 * or by a sync of its own once it has waited that long. Callers never block. A record is queued when the method is
 * called, not when the {@code Uni} is subscribed, so a second subscription does not write it twice.
 * <p>
 * Failures: a failed write is rolled back (the file is truncated to where the batch began) and its records fail; the
 * log goes on with the next batch. A failed fsync leaves the log unusable until restart, because after one the kernel
 * may report later fsyncs as successful without the data being on disk; every later record fails. The file is locked,
 * so a second process cannot interleave its own chain.
 * <p>
 * With {@link AuditSettings} the writer also rotates the file, adds signed checkpoints and copies durable lines to an
 * export file and checkpoint lines to a checkpoint file (see the {@linkplain dev.toolgate.audit package}); with none of
 * them on it does nothing it did not do before.
 */
@ApplicationScoped
@Startup
public class FileAuditLog implements AuditLog, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FileAuditLog.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final Path file;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock accepting = new ReentrantLock();
    private final GroupCommit commits;
    private final DurableCopies copies;
    private final Thread writer;
    private final boolean deferOutcomes;
    /** What redacted values in a record's policy input become. */
    private final KeyedHash hash;
    private final Clock clock;
    private boolean closed;
    /** Counts approval events once recorded ({@code toolgate.approvals}); none outside the application. */
    private final MeterRegistry meters;

    @Inject
    public FileAuditLog(ToolgateConfig config, MeterRegistry meters) {
        this(AuditSettings.from(config.audit()), Clock.systemUTC(), meters,
                config.audit().redactionKey().map(KeyedHash::of).orElseGet(KeyedHash::random));
    }

    /**
     * Opens (or creates) the log and continues its chain; every record is durable before its {@code Uni} completes.
     *
     * @throws IllegalStateException when the file cannot be opened or locked, or its last record is damaged
     */
    public FileAuditLog(Path file, int maxBatch, Clock clock) {
        this(file, maxBatch, clock, Duration.ZERO);
    }

    /**
     * Opens (or creates) the log and continues its chain.
     *
     * @param outcomeSyncDelay how long an outcome record may stay written but not fsynced; zero for never
     * @throws IllegalStateException when the file cannot be opened or locked, or its last record is damaged
     */
    public FileAuditLog(Path file, int maxBatch, Clock clock, Duration outcomeSyncDelay) {
        this(file, maxBatch, clock, outcomeSyncDelay, KeyedHash.random());
    }

    /**
     * Opens (or creates) the log and continues its chain.
     *
     * @param outcomeSyncDelay how long an outcome record may stay written but not fsynced; zero for never
     * @param hash what redacted values in a record's policy input become
     * @throws IllegalStateException when the file cannot be opened or locked, or its last record is damaged
     */
    public FileAuditLog(Path file, int maxBatch, Clock clock, Duration outcomeSyncDelay, KeyedHash hash) {
        this(AuditSettings.of(file, maxBatch).withOutcomeSyncDelay(outcomeSyncDelay), clock, null, hash);
    }

    /**
     * Opens (or creates) the log and continues its chain, redacted values of a record's policy input hashed under a key
     * of this process.
     *
     * @param meters where approval events and failed copies are counted; null for nowhere
     * @throws IllegalStateException when the file cannot be opened or locked, or its last record is damaged
     */
    public FileAuditLog(AuditSettings settings, Clock clock, MeterRegistry meters) {
        this(settings, clock, meters, KeyedHash.random());
    }

    /**
     * Opens (or creates) the log and continues its chain: from its active file, or, when that is empty or missing,
     * from the newest file rotated out of it (a crash came between the rotation and the first record of the new file).
     *
     * @param meters where approval events and failed copies are counted; null for nowhere
     * @param hash what redacted values in a record's policy input become
     * @throws IllegalStateException when the file cannot be opened or locked, or its last record is damaged
     */
    public FileAuditLog(AuditSettings settings, Clock clock, MeterRegistry meters, KeyedHash hash) {
        this.hash = hash;
        this.clock = clock;
        this.deferOutcomes = !settings.outcomeSyncDelay().isZero();
        this.file = settings.file();
        this.meters = meters;
        ActiveFile active = ActiveFile.open(file);
        ChainTail tail;
        ChainTail.Head head = null;
        try {
            tail = ChainTail.recover(active.channel(), file);
            if (tail.seq() == 0) {
                List<Path> rotated = AuditFiles.rotated(file);
                if (!rotated.isEmpty()) {
                    tail = ChainTail.continueFrom(rotated.get(rotated.size() - 1));
                }
            } else if (settings.rotateBytes().isPresent() || settings.rotateInterval().isPresent()) {
                head = ChainTail.head(active.channel(), file);
            }
        } catch (IOException | RuntimeException e) {
            active.close();
            if (e instanceof IllegalStateException refused) {
                throw refused;
            }
            throw new IllegalStateException("cannot read the audit log " + file + ": " + e, e);
        }
        this.copies = new DurableCopies(
                settings.exportFile().map(f -> new LineExport(f, "toolgate.audit.export.file", "export", meters))
                        .orElse(null),
                settings.checkpointFile().map(f -> new LineExport(f, "toolgate.audit.checkpoint.file",
                        "checkpoints", meters)).orElse(null));
        this.commits = new GroupCommit(active, tail, head, settings, clock, queue, copies);
        this.writer = new Thread(commits, "toolgate-audit");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public Uni<Void> intent(ToolCall call, String policyRevision) {
        return append(AuditRecords.body(Type.INTENT, call, policyRevision, null, Optional.empty(), hash), false);
    }

    @Override
    public Uni<Void> outcome(ToolCall call, String policyRevision, String status, Optional<Denial> failure) {
        return outcome(call, policyRevision, status, failure, OptionalLong.empty());
    }

    @Override
    public Uni<Void> outcome(ToolCall call, String policyRevision, String status, Optional<Denial> failure,
            OptionalLong reportedCostUsdMicros) {
        ObjectNode body = AuditRecords.body(Type.OUTCOME, call, policyRevision, status, failure, hash);
        AuditRecords.ended(body, call, status, reportedCostUsdMicros, clock.instant());
        return append(body, deferOutcomes);
    }

    @Override
    public Uni<Void> denied(ToolCall call, String policyRevision, Denial denial) {
        return append(AuditRecords.body(Type.DENIED, call, policyRevision, null, Optional.of(denial), hash), false);
    }

    @Override
    public Uni<Void> proposed(ToolCall call, String policyRevision, Optional<Denial> denial) {
        return append(AuditRecords.body(Type.DRY_RUN, call, policyRevision, null, denial, hash), false);
    }

    @Override
    public Uni<Void> approval(ApprovalEvent event) {
        return append(AuditRecords.approval(event), false).invoke(() -> {
            if (meters != null) {
                // events and tiers are a fixed set of codes: a bounded label set
                meters.counter("toolgate.approvals", "event", event.event(), "tier", event.tier() == null ? ""
                        : event.tier()).increment();
            }
        });
    }

    @Override
    public Uni<Void> reloaded(String what, String outcome, String revision, String detail) {
        return append(AuditRecords.reload(what, outcome, revision, detail), false);
    }

    @Override
    public Uni<Void> shadowed(ToolCall call, String policyRevision, String shadowRevision, ShadowDecision shadow) {
        // evidence about a candidate, never about what was enforced: it may wait for the next fsync like an outcome
        return append(AuditRecords.shadow(call, policyRevision, shadowRevision, shadow), deferOutcomes);
    }

    @Override
    public Uni<Void> replayed(ToolCall call, String policyRevision, String originalDecisionId) {
        ObjectNode body = AuditRecords.body(Type.REPLAYED, call, policyRevision, null, Optional.empty(), hash);
        body.put("detail", "replay of " + originalDecisionId);
        return append(body, false);
    }

    @Override
    public Uni<Void> failOpen(ToolCall call, String policyRevision, String stage, String detail) {
        ObjectNode body = AuditRecords.body(Type.FAIL_OPEN, call, policyRevision, null, Optional.empty(), hash);
        body.put("detail", stage + ": " + detail);
        return append(body, false);
    }

    /** How many fsyncs of the log succeeded so far. */
    long syncs() {
        return commits.syncs();
    }

    /** Writes what is queued, then stops the writer and closes the file. Records appended afterwards fail. */
    @PreDestroy
    @Override
    public void close() {
        accepting.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(GroupCommit.STOP);
        } finally {
            accepting.unlock();
        }
        try {
            writer.join(CLOSE_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.warnf("the audit writer for %s did not finish within %s; records still queued may be lost", file,
                    CLOSE_TIMEOUT);
        }
        copies.close(CLOSE_TIMEOUT);
    }

    private Uni<Void> append(ObjectNode body, boolean deferSync) {
        CompletableFuture<Void> durable = new CompletableFuture<>();
        Pending pending = new Pending(body, durable, resumeExecutor(), deferSync);
        accepting.lock();
        try {
            if (closed) {
                durable.completeExceptionally(new IOException("the audit log " + file + " is closed"));
            } else {
                queue.add(pending);
            }
        } finally {
            accepting.unlock();
        }
        // a copy per subscription: a cancelled subscriber must not cancel what others wait for
        return Uni.createFrom().completionStage(durable::copy);
    }

    /** Where completions run: never on the writer, which must go back to committing. */
    private static Executor resumeExecutor() {
        Context context = Vertx.currentContext();
        if (context == null) {
            return Infrastructure.getDefaultExecutor();
        }
        return task -> context.runOnContext(ignored -> task.run());
    }

}
