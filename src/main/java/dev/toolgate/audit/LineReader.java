package dev.toolgate.audit;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into {@code \n}-terminated lines of any length without decoding them, so that a line's bytes are
 * exactly what was hashed. What follows the last newline is not a line: {@link #partial()} says how long it was.
 */
final class LineReader implements Closeable {

    private static final int READ_SIZE = 64 * 1024;

    private final InputStream in;
    private final byte[] chunk = new byte[READ_SIZE];
    private int chunkFrom;
    private int chunkEnd;
    private byte[] line = new byte[1024];
    private int length;
    private long number;
    private boolean ended;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** Reads the next whole line; false at the end of the stream. */
    boolean next() throws IOException {
        length = 0;
        while (true) {
            for (int i = chunkFrom; i < chunkEnd; i++) {
                if (chunk[i] == '\n') {
                    append(chunkFrom, i - chunkFrom);
                    chunkFrom = i + 1;
                    number++;
                    return true;
                }
            }
            append(chunkFrom, chunkEnd - chunkFrom);
            chunkFrom = chunkEnd;
            if (ended) {
                return false;
            }
            int read = in.read(chunk);
            if (read < 0) {
                ended = true;
                continue;
            }
            chunkFrom = 0;
            chunkEnd = read;
        }
    }

    /** The line just read, without its newline; valid up to {@link #length()} until the next call. */
    byte[] bytes() {
        return line;
    }

    int length() {
        return length;
    }

    /** The 1-based number of the line just read. */
    long number() {
        return number;
    }

    /** After {@link #next()} returned false: how many bytes followed the last newline (a torn last line). */
    int partial() {
        return length;
    }

    private void append(int from, int count) {
        if (count == 0) {
            return;
        }
        if (length + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
        }
        System.arraycopy(chunk, from, line, length, count);
        length += count;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
