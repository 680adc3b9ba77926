package dev.toolgate.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where an existing log's chain ends: the last record's {@code seq}, the SHA-256 of its line and the file size to
 * append at. Only the last line is read, so start-up does not depend on the size of the log.
 */
record ChainTail(long seq, String hash, long size) {

    private static final Logger LOG = Logger.getLogger(ChainTail.class);
    private static final int CHUNK = 8192;

    static final ChainTail EMPTY = new ChainTail(0, AuditFormat.ZERO_HASH, 0);

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
        return new ChainTail(seq, AuditFormat.sha256(line, line.length), size);
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
