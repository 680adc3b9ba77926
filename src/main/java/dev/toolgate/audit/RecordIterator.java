package dev.toolgate.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads a log's records across its files by seq: the next file is the oldest whose records reach the next seq, found
 * by listing the directory again each time, so that a file the writer rotates while it is read is followed.
 */
final class RecordIterator implements Iterator<ObjectNode>, AutoCloseable {

    private final Path activeLog;
    private long nextSeq = 1;
    private LineReader reader;
    private Path current;
    /** The seqs the file being read is named for; null for the active file. */
    private AuditFiles.SeqRange currentRange;
    private ObjectNode next;
    private boolean done;

    RecordIterator(Path activeLog) {
        this.activeLog = activeLog;
    }

    Stream<ObjectNode> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this,
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            try {
                advance();
            } catch (IOException e) {
                close();
                throw new UncheckedIOException("cannot read the audit log " + current + ": " + e, e);
            }
        }
        return next != null;
    }

    @Override
    public ObjectNode next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ObjectNode record = next;
        next = null;
        return record;
    }

    private void advance() throws IOException {
        while (true) {
            if (reader == null && !openNext()) {
                done = true;
                return;
            }
            if (!reader.next()) {
                boolean active = currentRange == null;
                if (!active) {
                    // a misnamed file must not be chosen again
                    nextSeq = Math.max(nextSeq, currentRange.last() + 1);
                }
                closeReader();
                if (active) {
                    done = true;
                    return;
                }
                continue;
            }
            ObjectNode record = AuditFormat.parseObject(reader.bytes(), reader.length());
            if (record == null) {
                long line = reader.number();
                Path file = current;
                close();
                throw new UncheckedIOException(new IOException("the audit log " + file + " line " + line
                        + " is not a JSON object; run `toolgate audit verify " + activeLog + "` to find the damage"));
            }
            long seq = AuditFormat.seq(record);
            if (seq >= nextSeq) {
                nextSeq = seq + 1;
                next = record;
                return;
            }
        }
    }

    /** Opens the file holding the next seq; false when there is none. */
    private boolean openNext() throws IOException {
        while (true) {
            AuditFiles.SeqRange range = null;
            Path file = null;
            for (Path rotated : AuditFiles.rotated(activeLog)) {
                AuditFiles.SeqRange candidate = AuditFiles.range(rotated).orElseThrow();
                if (candidate.last() >= nextSeq) {
                    file = rotated;
                    range = candidate;
                    break;
                }
            }
            if (file == null) {
                return openActive();
            }
            try {
                open(file, range);
                return true;
            } catch (NoSuchFileException e) {
                // deleted since the listing: the next listing goes on without it
            }
        }
    }

    /**
     * Opens the active file, unless it was rotated since the listing: then the file it was rotated to holds the next
     * seq. A rotation after the check leaves the open file the whole rotated one.
     */
    private boolean openActive() throws IOException {
        try {
            open(activeLog, null);
        } catch (NoSuchFileException e) {
            return false;
        }
        for (Path rotated : AuditFiles.rotated(activeLog)) {
            AuditFiles.SeqRange range = AuditFiles.range(rotated).orElseThrow();
            if (range.last() >= nextSeq) {
                closeReader();
                try {
                    open(rotated, range);
                    return true;
                } catch (NoSuchFileException e) {
                    return openNext();
                }
            }
        }
        return true;
    }

    private void open(Path file, AuditFiles.SeqRange range) throws IOException {
        reader = new LineReader(Files.newInputStream(file));
        current = file;
        currentRange = range;
    }

    private void closeReader() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                // read only: nothing is lost
            }
            reader = null;
        }
    }

    @Override
    public void close() {
        closeReader();
        done = true;
    }
}
