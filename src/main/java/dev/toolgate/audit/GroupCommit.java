package dev.toolgate.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
 */
final class GroupCommit implements Runnable {

    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    /** Queued by close(): everything before it is committed, then the writer closes the file and ends. */
    static final Pending STOP = new Pending(null, null, null, false);

    private final Path file;
    private final FileChannel channel;
    private final int maxBatch;
    private final Clock clock;
    private final BlockingQueue<Pending> queue;
    private final long deferredSyncLimitNanos;
    private long seq;
    private String prev;
    private long size;
    private IOException unusable;
    /** Whether records were written and answered without an fsync since the last one, and since when. */
    private boolean unsynced;
    private long unsyncedSince;
    private final AtomicLong syncs = new AtomicLong();

    GroupCommit(Path file, FileChannel channel, ChainTail tail, int maxBatch, Clock clock,
            BlockingQueue<Pending> queue, Duration deferredSyncLimit) {
        this.file = file;
        this.channel = channel;
        this.maxBatch = maxBatch;
        this.clock = clock;
        this.queue = queue;
        this.deferredSyncLimitNanos = deferredSyncLimit.toNanos();
        this.seq = tail.seq();
        this.prev = tail.hash();
        this.size = tail.size();
    }

    @Override
    public void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        boolean stopping = false;
        while (!stopping) {
            batch.clear();
            Pending first;
            try {
                first = unsynced ? queue.poll(unsyncedSince + deferredSyncLimitNanos - System.nanoTime(),
                        TimeUnit.NANOSECONDS) : queue.take();
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, so that nothing queued is left unanswered
            }
            if (first == null) {
                syncDeferred();
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
                commitOrFail(batch);
            }
        }
        syncDeferred();
        FileAuditLog.closeQuietly(channel);
    }

    private void commitOrFail(List<Pending> batch) {
        try {
            commit(batch);
        } catch (Throwable t) {
            // the writer must outlive any fault, or every caller from now on would wait forever
            if (unusable == null) {
                unusable = new IOException("the audit writer for " + file + " failed: " + t + "; restart toolgate", t);
                LOG.warn(unusable.getMessage());
            }
            batch.forEach(p -> p.fail(unusable));
        }
    }

    private void commit(List<Pending> batch) {
        if (unusable != null) {
            batch.forEach(p -> p.fail(unusable));
            return;
        }
        long startSeq = seq;
        String startPrev = prev;
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        List<Pending> written = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            byte[] line;
            try {
                line = AuditFormat.MAPPER.writeValueAsBytes(
                        AuditRecords.record(seq + 1, clock.instant(), pending.body(), prev));
            } catch (IOException | RuntimeException e) {
                pending.fail(new IOException("could not serialise an audit record: " + e.getClass().getName(), e));
                continue;
            }
            seq++;
            prev = AuditFormat.sha256(line, line.length);
            lines.write(line, 0, line.length);
            lines.write('\n');
            written.add(pending);
        }
        if (written.isEmpty()) {
            return;
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(lines.toByteArray());
            while (buffer.hasRemaining()) {
                channel.write(buffer, size + buffer.position());
            }
        } catch (IOException | RuntimeException e) {
            seq = startSeq;
            prev = startPrev;
            rollBack(e);
            IOException failure = new IOException("could not write the audit log " + file + ": " + e, e);
            written.forEach(p -> p.fail(failure));
            return;
        }
        boolean mustSync = written.stream().anyMatch(p -> !p.deferSync())
                || unsynced && System.nanoTime() - unsyncedSince >= deferredSyncLimitNanos;
        if (!mustSync) {
            size += lines.size();
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
            seq = startSeq;
            prev = startPrev;
            rollBack(e);
            unusable = new IOException("the audit log " + file + " could not be synced to disk (" + e
                    + "); no record can be made durable any more, restart toolgate once the disk is fixed", e);
            LOG.warn(unusable.getMessage());
            written.forEach(p -> p.fail(unusable));
            return;
        }
        size += lines.size();
        unsynced = false;
        written.forEach(Pending::succeed);
    }

    private void force() throws IOException {
        channel.force(false);
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
        } catch (IOException | RuntimeException e) {
            unusable = new IOException("the audit log " + file + " could not be synced to disk (" + e
                    + "); no record can be made durable any more, restart toolgate once the disk is fixed", e);
            LOG.warn(unusable.getMessage());
        }
    }

    /** Cuts off what a failed batch may have left, so that the file keeps ending on a whole line of the chain. */
    private void rollBack(Exception cause) {
        try {
            channel.truncate(size);
        } catch (IOException | RuntimeException e) {
            if (unusable == null) {
                unusable = new IOException("the audit log " + file + " may end in a partial record after a failed"
                        + " write (" + cause + ") and could not be truncated (" + e + "); restart toolgate", e);
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
