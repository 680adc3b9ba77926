package dev.toolgate.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where an existing log's chain ends: the last record's {@code seq}, the SHA-256 of its line, the file size to append
 * at, and whether that record is a checkpoint. Only the last line is read, so start-up does not depend on the size of
 * the log.
 */
record ChainTail(long seq, String hash, long size, boolean signed) {

    private static final Logger LOG = Logger.getLogger(ChainTail.class);
    private static final int CHUNK = 8192;

    static final ChainTail EMPTY = new ChainTail(0, AuditFormat.ZERO_HASH, 0, false);

    /** The first record of a file: its seq, and its time when that can be read. */
    record Head(long seq, Optional<Instant> time) {
    }

    /**
     * Reads the tail of an open log. A partial last line is cut off: it is a write a crash interrupted, and records are
     * only acknowledged after a complete write and an fsync, so nobody was told it was recorded.
     *
     * @throws IllegalStateException when the last complete line is not a record, so the chain cannot be continued
     */
    static ChainTail recover(FileChannel channel, Path file) throws IOException {
        long size = channel.size();
        if (size == 0) {
            return EMPTY;
        }
        long lastNewline = lastNewline(channel, size);
        if (lastNewline != size - 1) {
            long kept = lastNewline + 1;
            channel.truncate(kept);
            channel.force(true);
            LOG.warnf("audit log %s ended in a partial record of %d bytes (a write interrupted by a crash, never"
                    + " acknowledged); truncated it", file, size - kept);
            size = kept;
            if (size == 0) {
                return EMPTY;
            }
        }
        return last(channel, file, size);
    }

    /**
     * Where the chain of the newest rotated file ends, for an active file that is empty or missing: a crash came
     * between the rotation and the first record of the new file. The new file starts empty.
     *
     * @throws IllegalStateException when the rotated file does not end in a whole record
     */
    static ChainTail continueFrom(Path rotated) throws IOException {
        try (FileChannel channel = FileChannel.open(rotated, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0 || lastNewline(channel, size) != size - 1) {
                throw refused(rotated, size, "the file does not end in a whole line (it was synced before it was"
                        + " rotated, so it was changed since)");
            }
            ChainTail tail = last(channel, rotated, size);
            return new ChainTail(tail.seq(), tail.hash(), 0, tail.signed());
        }
    }

    /**
     * The first record of a file that holds at least one whole line.
     *
     * @throws IllegalStateException when the first line holds no seq
     */
    static Head head(FileChannel channel, Path file) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        long offset = 0;
        int newline = -1;
        while (newline < 0) {
            buffer.clear();
            int read = channel.read(buffer, offset);
            if (read < 0) {
                break;
            }
            for (int i = 0; i < read && newline < 0; i++) {
                if (buffer.get(i) == '\n') {
                    newline = i;
                }
            }
            line.write(buffer.array(), 0, newline < 0 ? read : newline);
            offset += read;
        }
        ObjectNode record = AuditFormat.parseObject(line.toByteArray(), line.size());
        if (record == null || AuditFormat.seq(record) < 1) {
            throw new IllegalStateException("the first line of the audit log " + file + " is not a record with a seq;"
                    + " run `toolgate audit verify " + file + "` to find the damage, then repair or move the file");
        }
        Optional<Instant> time;
        try {
            time = Optional.of(Instant.parse(record.path("time").asText()));
        } catch (DateTimeParseException e) {
            time = Optional.empty();
        }
        return new Head(AuditFormat.seq(record), time);
    }

    private static ChainTail last(FileChannel channel, Path file, long size) throws IOException {
        long start = lastNewline(channel, size - 1) + 1;
        long length = size - 1 - start;
        if (length > Integer.MAX_VALUE - 8) {
            throw refused(file, start, "the line is too long");
        }
        byte[] line = new byte[(int) length];
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, start + buffer.position()) < 0) {
                throw new IOException("audit log " + file + " shrank while it was being read");
            }
        }
        ObjectNode record = AuditFormat.parseObject(line, line.length);
        if (record == null) {
            throw refused(file, start, "it is not a JSON object");
        }
        long seq = AuditFormat.seq(record);
        if (seq < 1) {
            throw refused(file, start, "its seq is not a positive integer");
        }
        if (AuditFormat.prev(record) == null) {
            throw refused(file, start, "its prev is not a SHA-256 in lowercase hex");
        }
        boolean signed = AuditRecords.Type.CHECKPOINT.code.equals(record.path("type").asText());
        return new ChainTail(seq, AuditFormat.sha256(line, line.length), size, signed);
    }

    /** The offset of the last {@code \n} before {@code end}, or -1 when there is none. */
    private static long lastNewline(FileChannel channel, long end) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        long chunkEnd = end;
        while (chunkEnd > 0) {
            long chunkStart = Math.max(0, chunkEnd - CHUNK);
            buffer.clear().limit((int) (chunkEnd - chunkStart));
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, chunkStart + buffer.position()) < 0) {
                    throw new IOException("unexpected end of file at " + (chunkStart + buffer.position()));
                }
            }
            for (int i = buffer.limit() - 1; i >= 0; i--) {
                if (buffer.get(i) == '\n') {
                    return chunkStart + i;
                }
            }
            chunkEnd = chunkStart;
        }
        return -1;
    }

    private static IllegalStateException refused(Path file, long offset, String why) {
        return new IllegalStateException("the last line of the audit log " + file + " (at byte " + offset
                + ") is not a valid audit record: " + why + ". toolgate will not append to a chain it cannot continue;"
                + " run `toolgate audit verify " + file + "` to find the damage, then repair or move the file");
    }
}
