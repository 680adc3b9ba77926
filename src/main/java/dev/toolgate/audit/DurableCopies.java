package dev.toolgate.audit;

import java.io.ByteArrayOutputStream;
import java.time.Duration;

/**
 * Holds the lines the writer wrote until they are durable, then hands them to the copies: every line to the export
 * file, checkpoint lines to the checkpoint file. A copy never holds a line the log might lose in a crash. Only the
 * writer thread uses it.
 */
final class DurableCopies {

    private final LineExport export;
    private final LineExport checkpoints;
    private ByteArrayOutputStream lines = new ByteArrayOutputStream();
    private int lineCount;
    private ByteArrayOutputStream signed = new ByteArrayOutputStream();
    private int signedCount;

    /** Either may be null: that copy is not made. */
    DurableCopies(LineExport export, LineExport checkpoints) {
        this.export = export;
        this.checkpoints = checkpoints;
    }

    /** Lines just written: {@code bytes}, the whole of {@code lines}. */
    void written(byte[] bytes, BatchLines lines) {
        if (export != null) {
            this.lines.writeBytes(bytes);
            lineCount += lines.count();
        }
        if (checkpoints != null) {
            for (byte[] line : lines.checkpoints()) {
                signed.write(line, 0, line.length);
                signed.write('\n');
                signedCount++;
            }
        }
    }

    /** What was written is durable: copy it. */
    void synced() {
        if (lineCount > 0) {
            export.accept(lines.toByteArray(), lineCount);
            lines = new ByteArrayOutputStream();
            lineCount = 0;
        }
        if (signedCount > 0) {
            checkpoints.accept(signed.toByteArray(), signedCount);
            signed = new ByteArrayOutputStream();
            signedCount = 0;
        }
    }

    /** What was written since the last sync may not be durable (its fsync failed): never copy it. */
    void discard() {
        lines.reset();
        lineCount = 0;
        signed.reset();
        signedCount = 0;
    }

    void close(Duration timeout) {
        if (export != null) {
            export.close(timeout);
        }
        if (checkpoints != null) {
            checkpoints.close(timeout);
        }
    }
}
