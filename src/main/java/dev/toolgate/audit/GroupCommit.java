package dev.toolgate.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The writer thread's loop: take up to {@code maxBatch} queued records, give them their {@code seq}, {@code time} and
 * {@code prev}, write them, fsync once, then answer them all. Only this thread touches the file and the chain state,
 * so file order is seq order without locks.
 * <p>
 * A batch of records that may wait for their fsync (outcomes, see {@link FileAuditLog}) is answered once written and
 * not synced; what it left unsynced is synced with the next batch that needs an fsync, or on its own once the oldest
 * of it has waited {@code deferredSyncLimit}, and before the writer ends.
 * <p>
 * Between batches, and only there, the file is rotated once it is due (see {@link AuditFiles}): after a checkpoint
 * over its last record (with checkpoints on) and an fsync, so that a rotated file is whole and signed. A checkpoint
 * goes into the batch that makes it due and is synced with it; one due by time while no records come is written on
 * its own. Lines reach the copies once they are durable.
 */
final class GroupCommit implements Runnable {

    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    /** Queued by close(): everything before it is committed, then the writer closes the file and ends. */
    static final Pending STOP = new Pending(null, null, null, false);

    private final ActiveFile out;
    private final int maxBatch;
    private final Clock clock;
    private final BlockingQueue<Pending> queue;
    private final long deferredSyncLimitNanos;
    /** Null: no checkpoints. */
    private final CheckpointSchedule checkpoints;
    private final DurableCopies copies;
    private long seq;
    private String prev;
    private long size;
    private IOException unusable;
    /** Whether records were written and answered without an fsync since the last one, and since when. */
    private boolean unsynced;
    private long unsyncedSince;
    private final AtomicLong syncs = new AtomicLong();

    GroupCommit(ActiveFile out, ChainTail tail, ChainTail.Head head, AuditSettings settings, Clock clock,
            BlockingQueue<Pending> queue, DurableCopies copies) {
        this.out = out;
        this.maxBatch = settings.maxBatch();
        this.clock = clock;
        this.queue = queue;
        this.deferredSyncLimitNanos = settings.outcomeSyncDelay().toNanos();
        this.checkpoints = settings.checkpointKey().map(key -> new CheckpointSchedule(key,
                settings.checkpointEveryRecords(), settings.checkpointEvery())).orElse(null);
        this.copies = copies;
        this.seq = tail.seq();
        this.prev = tail.hash();
        this.size = tail.size();
        out.rotation(settings.rotateBytes(), settings.rotateInterval(), head == null ? tail.seq() + 1 : head.seq(),
                head == null ? null : head.time().orElseGet(clock::instant));
        if (checkpoints != null && tail.seq() > 0 && !tail.signed()) {
            // the log ends in records no checkpoint covers (a crash, or checkpoints newly on): cover them soon
            checkpoints.added();
        }
    }

    @Override
    public void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        boolean stopping = false;
        while (!stopping) {
            batch.clear();
            Pending first;
            try {
                long wait = nanosToWait();
                first = wait == Long.MAX_VALUE ? queue.take() : queue.poll(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, so that nothing queued is left unanswered
            }
            if (first == null) {
                syncDeferred();
                if (checkpoints != null && checkpoints.dueByTime(System.nanoTime())) {
                    commitOrFail(List.of(), true);
                    if (checkpoints.pending()) {
                        // its write failed (a full disk): try again later, not in a loop
                        checkpoints.postpone();
                    }
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, maxBatch - 1);
            if (batch.get(batch.size() - 1) == STOP) {
                // nothing is queued after STOP: close() takes the same lock as append()
                stopping = true;
                batch.remove(batch.size() - 1);
            }
            if (!batch.isEmpty()) {
                commitOrFail(batch, false);
            }
        }
        if (checkpoints != null && checkpoints.pending()) {
            commitOrFail(List.of(), true);
        }
        syncDeferred();
        out.close();
    }

    /** How long the writer may wait for records before a deferred sync or a checkpoint is due; MAX_VALUE: forever. */
    private long nanosToWait() {
        if (unusable != null) {
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        long wait = Long.MAX_VALUE;
        if (unsynced) {
            wait = Math.max(0, unsyncedSince + deferredSyncLimitNanos - now);
        }
        if (checkpoints != null && checkpoints.pending()) {
            wait = Math.min(wait, Math.max(0, checkpoints.deadline() - now));
        }
        return wait;
    }

    private void commitOrFail(List<Pending> batch, boolean checkpointNow) {
        try {
            if (unusable == null && !batch.isEmpty() && out.rotates() && out.rotationDue(size, clock.instant())) {
                rotate();
            }
            commit(batch, checkpointNow);
        } catch (Throwable t) {
            // the writer must outlive any fault, or every caller from now on would wait forever
            if (unusable == null) {
                unusable = new IOException("the audit writer for " + out.path() + " failed: " + t
                        + "; restart toolgate", t);
                LOG.warn(unusable.getMessage());
            }
            batch.forEach(p -> p.fail(unusable));
        }
    }

    /**
     * Closes the active file with a checkpoint over its last record and an fsync, then renames it. A failed rename
     * leaves the file where it is: the log goes on in it.
     */
    private void rotate() throws IOException {
        if (checkpoints != null && checkpoints.pending()) {
            commit(List.of(), true);
        }
        syncDeferred();
        if (unusable != null) {
            return;
        }
        try {
            if (out.rotate(seq)) {
                size = 0;
            }
        } catch (ActiveFile.Stranded e) {
            unusable = e;
            LOG.warn(e.getMessage() + "; restart toolgate, which continues the chain in a new file");
        }
    }

    private void commit(List<Pending> batch, boolean checkpointNow) throws IOException {
        if (unusable != null) {
            batch.forEach(p -> p.fail(unusable));
            return;
        }
        long startSeq = seq;
        String startPrev = prev;
        CheckpointSchedule.State startCheckpoints = checkpoints == null ? null : checkpoints.state();
        BatchLines lines = new BatchLines();
        List<Pending> written = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            try {
                lines.add(next(pending.body()));
            } catch (IOException | RuntimeException e) {
                pending.fail(new IOException("could not serialise an audit record: " + e.getClass().getName(), e));
                continue;
            }
            written.add(pending);
            if (checkpoints != null && checkpoints.added()) {
                checkpoint(lines);
            }
        }
        if (checkpoints != null && checkpoints.pending()
                && (checkpointNow || checkpoints.dueByTime(System.nanoTime()))) {
            checkpoint(lines);
        }
        if (lines.count() == 0) {
            return;
        }
        byte[] bytes = lines.bytes();
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.channel().write(buffer, size + buffer.position());
            }
        } catch (IOException | RuntimeException e) {
            restore(startSeq, startPrev, startCheckpoints);
            rollBack(e);
            IOException failure = new IOException("could not write the audit log " + out.path() + ": " + e, e);
            written.forEach(p -> p.fail(failure));
            return;
        }
        if (size == 0) {
            out.started(clock.instant());
        }
        boolean mustSync = !lines.checkpoints().isEmpty() || written.stream().anyMatch(p -> !p.deferSync())
                || unsynced && System.nanoTime() - unsyncedSince >= deferredSyncLimitNanos;
        if (!mustSync) {
            size += bytes.length;
            copies.written(bytes, lines);
            if (!unsynced) {
                unsynced = true;
                unsyncedSince = System.nanoTime();
            }
            written.forEach(Pending::succeed);
            return;
        }
        try {
            force();
        } catch (IOException | RuntimeException e) {
            restore(startSeq, startPrev, startCheckpoints);
            rollBack(e);
            unusable(e);
            written.forEach(p -> p.fail(unusable));
            return;
        }
        size += bytes.length;
        unsynced = false;
        written.forEach(Pending::succeed);
        copies.written(bytes, lines);
        copies.synced();
    }

    /** Serialises the next record of the chain and advances the chain to it. */
    private byte[] next(ObjectNode body) throws IOException {
        byte[] line = AuditFormat.MAPPER.writeValueAsBytes(AuditRecords.record(seq + 1, clock.instant(), body, prev));
        seq++;
        prev = AuditFormat.sha256(line, line.length);
        return line;
    }

    /** Adds a checkpoint over the record just serialised. */
    private void checkpoint(BatchLines lines) throws IOException {
        lines.addCheckpoint(next(checkpoints.body(seq, prev)));
        checkpoints.covered();
    }

    private void restore(long startSeq, String startPrev, CheckpointSchedule.State startCheckpoints) {
        seq = startSeq;
        prev = startPrev;
        if (checkpoints != null) {
            checkpoints.restore(startCheckpoints);
        }
    }

    private void force() throws IOException {
        out.channel().force(false);
        syncs.incrementAndGet();
    }

    /** How many fsyncs of the log succeeded. */
    long syncs() {
        return syncs.get();
    }

    /** Syncs what earlier batches wrote and answered without an fsync. A failure leaves the log unusable. */
    private void syncDeferred() {
        if (!unsynced || unusable != null) {
            return;
        }
        try {
            force();
            unsynced = false;
            copies.synced();
        } catch (IOException | RuntimeException e) {
            unusable(e);
        }
    }

    /** After a failed fsync nothing can be made durable any more: the kernel may not report a lost write twice. */
    private void unusable(Exception e) {
        unusable = new IOException("the audit log " + out.path() + " could not be synced to disk (" + e
                + "); no record can be made durable any more, restart toolgate once the disk is fixed", e);
        LOG.warn(unusable.getMessage());
        unsynced = false;
        copies.discard();
    }

    /** Cuts off what a failed batch may have left, so that the file keeps ending on a whole line of the chain. */
    private void rollBack(Exception cause) {
        try {
            out.channel().truncate(size);
        } catch (IOException | RuntimeException e) {
            if (unusable == null) {
                unusable = new IOException("the audit log " + out.path() + " may end in a partial record after a"
                        + " failed write (" + cause + ") and could not be truncated (" + e + "); restart toolgate", e);
                LOG.warn(unusable.getMessage());
            }
        }
    }

    /** A record waiting for the writer; {@code deferSync}: it may be answered once written, before its fsync. */
    record Pending(ObjectNode body, CompletableFuture<Void> durable, Executor resume, boolean deferSync) {

        void succeed() {
            resume.execute(() -> durable.complete(null));
        }

        void fail(Throwable failure) {
            resume.execute(() -> durable.completeExceptionally(failure));
        }
    }
}
