package dev.toolgate.audit;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Appends lines the writer made durable to a file of their own, on a thread of its own and without fsync, so that a
 * slow or failing file never delays or fails the log. What cannot be written (the file fails, or more than
 * {@value #CAPACITY} batches wait) is dropped, counted in {@code toolgate.audit.export.failures{sink}} and logged at
 * WARN once until a write succeeds again. The file is opened again after a failure, so it may have gaps, never a line
 * twice or out of order.
 */
final class LineExport {

    private static final Logger LOG = Logger.getLogger(LineExport.class);
    static final int CAPACITY = 1024;
    private static final Batch END = new Batch(new byte[0], 0);

    private final Path file;
    private final String property;
    private final Counter failures;
    private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread thread;
    private FileChannel out;
    /** Whether the last attempt failed, so that a run of failures is logged once. */
    private volatile boolean failing;

    /** Whole lines, each ending in {@code \n}, and how many. */
    private record Batch(byte[] bytes, int lines) {
    }

    /**
     * @param property the setting that names the file, for messages
     * @param sink the counter's {@code sink} tag
     * @param meters where failures are counted; null outside the application
     */
    LineExport(Path file, String property, String sink, MeterRegistry meters) {
        this.file = file;
        this.property = property;
        this.failures = meters == null ? null : meters.counter("toolgate.audit.export.failures", "sink", sink);
        this.thread = new Thread(this::run, "toolgate-audit-" + sink);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues whole lines for the file; never blocks. */
    void accept(byte[] lines, int count) {
        if (!queue.offer(new Batch(lines, count))) {
            failed(count, "more than " + CAPACITY + " batches wait for the file");
        }
    }

    /** Writes what is queued, waiting at most {@code timeout}, and stops. */
    void close(Duration timeout) {
        try {
            if (!queue.offer(END, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("the audit copy %s (%s) did not take its last lines in time", file, property);
                return;
            }
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            Batch batch;
            try {
                batch = queue.take();
            } catch (InterruptedException e) {
                continue;
            }
            if (batch == END) {
                ActiveFile.closeQuietly(out);
                return;
            }
            write(batch);
        }
    }

    private void write(Batch batch) {
        long before = -1;
        try {
            if (out == null) {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                out = FileChannel.open(file, CREATE, WRITE, APPEND);
            }
            before = out.size();
            ByteBuffer buffer = ByteBuffer.wrap(batch.bytes());
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            if (failing) {
                failing = false;
                LOG.infof("the audit copy %s (%s) is written again; lines dropped meanwhile are missing from it",
                        file, property);
            }
        } catch (IOException | RuntimeException e) {
            cutOff(before);
            ActiveFile.closeQuietly(out);
            out = null;
            failed(batch.lines(), e.toString());
        }
    }

    /** Cuts off what a failed write left, so that the next line does not follow a torn one. */
    private void cutOff(long size) {
        if (out == null || size < 0) {
            return;
        }
        try {
            out.truncate(size);
        } catch (IOException | RuntimeException e) {
            LOG.debugf("cannot cut the audit copy %s back after a failed write: %s", file, e);
        }
    }

    private void failed(int lines, String why) {
        if (failures != null) {
            failures.increment(lines);
        }
        if (!failing) {
            failing = true;
            LOG.warnf("cannot write the audit copy %s (%s): %s; its lines are dropped and counted in"
                    + " toolgate_audit_export_failures_total, the audit log itself is unaffected", file, property, why);
        }
    }
}
