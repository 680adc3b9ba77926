package dev.toolgate.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A copy of records kept off the machine (the checkpoint file, or the export file: lines of the log, byte for byte,
 * in seq order, maybe with gaps). Read alongside the log: every record it holds must be in the log, byte for byte, and
 * the log must not end before its last one. A torn last line (a copy being written) is left out.
 */
final class ShippedCopy implements AutoCloseable {

    private final Path file;
    private final LineReader reader;
    /** The copy's current record: its seq and line, or seq 0 when the copy has ended. */
    private long seq;
    private byte[] line;
    private long lineNumber;
    private long matched;
    private long before;

    /** @throws UncheckedIOException when the copy cannot be opened */
    ShippedCopy(Path file) {
        this.file = file;
        try {
            this.reader = new LineReader(Files.newInputStream(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e, e);
        }
    }

    /** Reads the copy's first record; what is wrong with the copy, or null. */
    String start() {
        return advance(0);
    }

    /**
     * Compares the log's record {@code logSeq} with the copy.
     *
     * @param first whether it is the first record the log holds (copy records before it were pruned from the log)
     * @return what disagrees, or null
     */
    String check(long logSeq, byte[] logLine, int length, boolean first) {
        while (seq != 0 && seq < logSeq) {
            if (!first) {
                return file + " line " + lineNumber + " holds seq " + seq + ", which the log does not";
            }
            before++;
            String problem = advance(seq);
            if (problem != null) {
                return problem;
            }
        }
        if (seq != logSeq) {
            return null;
        }
        if (!Arrays.equals(line, 0, line.length, logLine, 0, length)) {
            return "the record differs from " + file + " line " + lineNumber;
        }
        matched++;
        return advance(seq);
    }

    /** After the log's last record, {@code lastSeq}: what the log lacks, or null. */
    String finish(long lastSeq) {
        if (seq == 0) {
            return null;
        }
        return "the log ends at seq " + lastSeq + ", but " + file + " line " + lineNumber + " holds seq " + seq
                + ": records were cut off the end of the log";
    }

    /** How many of the copy's records the log held. */
    long matched() {
        return matched;
    }

    /** How many of the copy's records were older than the first the log holds (pruned). */
    long before() {
        return before;
    }

    private String advance(long previousSeq) {
        boolean read;
        try {
            read = reader.next();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!read) {
            seq = 0;
            return null;
        }
        lineNumber = reader.number();
        ObjectNode record = AuditFormat.parseObject(reader.bytes(), reader.length());
        long next = record == null ? -1 : AuditFormat.seq(record);
        if (next < 1) {
            return file + " line " + lineNumber + " is not an audit record";
        }
        if (next <= previousSeq) {
            return file + " line " + lineNumber + " holds seq " + next + " after seq " + previousSeq
                    + ": a copy of another log, or of a log started again?";
        }
        seq = next;
        line = Arrays.copyOf(reader.bytes(), reader.length());
        return null;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
