package dev.toolgate.audit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Checks an audit log file end to end: every line is a JSON object, {@code seq} counts from 1 without gaps, the first
 * {@code prev} is 64 zeros and every other {@code prev} is the SHA-256 of the line before. Streams the file, so its
 * size does not matter; stops at the first break.
 */
public final class AuditVerifier {

    private static final int READ_SIZE = 64 * 1024;

    private AuditVerifier() {
    }

    /**
     * The result of a check.
     *
     * @param ok whether the whole file holds
     * @param records how many records were checked and held (all of them when {@code ok})
     * @param brokenLine the 1-based line where the first break was found, or 0 when none
     * @param message what was found, naming the record and line
     */
    public record Verification(boolean ok, long records, long brokenLine, String message) {
    }

    /**
     * Checks a file.
     *
     * @throws UncheckedIOException when the file cannot be read
     */
    public static Verification verify(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new Check().run(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit log " + file + ": " + e.getMessage(), e);
        }
    }

    /** The state of one pass over a file. */
    private static final class Check {

        private byte[] line = new byte[1024];
        private int length;
        private long lineNumber;
        private String previousHash = AuditFormat.ZERO_HASH;

        Verification run(InputStream in) throws IOException {
            byte[] chunk = new byte[READ_SIZE];
            int read;
            while ((read = in.read(chunk)) > 0) {
                int from = 0;
                for (int i = 0; i < read; i++) {
                    if (chunk[i] == '\n') {
                        append(chunk, from, i - from);
                        from = i + 1;
                        String problem = checkLine();
                        if (problem != null) {
                            return new Verification(false, lineNumber - 1, lineNumber, problem);
                        }
                        length = 0;
                    }
                }
                append(chunk, from, read - from);
            }
            if (length > 0) {
                return new Verification(false, lineNumber, lineNumber + 1, "line " + (lineNumber + 1)
                        + ": partial record at the end of the file (no newline); a write interrupted by a crash,"
                        + " never acknowledged, which toolgate cuts off when it starts");
            }
            return new Verification(true, lineNumber, 0, lineNumber + " records, chain intact");
        }

        private void append(byte[] chunk, int from, int count) {
            if (length + count > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
            }
            System.arraycopy(chunk, from, line, length, count);
            length += count;
        }

        /** The problem with the line just read, or null when it continues the chain. */
        private String checkLine() {
            lineNumber++;
            ObjectNode record = AuditFormat.parseObject(line, length);
            if (record == null) {
                return "line " + lineNumber + ": not a JSON object";
            }
            String where = "record " + lineNumber + " (line " + lineNumber + "): ";
            long seq = AuditFormat.seq(record);
            if (seq != lineNumber) {
                return where + "seq " + lineNumber + " expected, found "
                        + (record.has("seq") ? record.get("seq").toString() : "none");
            }
            String prev = AuditFormat.prev(record);
            if (prev == null) {
                return where + "prev is not a SHA-256 in lowercase hex";
            }
            if (!prev.equals(previousHash)) {
                return lineNumber == 1 ? where + "prev of the first record must be 64 zeros"
                        : where + "prev does not match the SHA-256 of line " + (lineNumber - 1);
            }
            previousHash = AuditFormat.sha256(line, length);
            return null;
        }
    }
}
