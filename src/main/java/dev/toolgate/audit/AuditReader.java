package dev.toolgate.audit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads an audit log's records in file order, for the offline tools (replay, run records). Streams the file, so its
 * size does not matter. It reads; {@link AuditVerifier} proves the chain.
 */
public final class AuditReader {

    private AuditReader() {
    }

    /**
     * Hands every complete record to {@code each}; a partial last line (a write a crash interrupted, never
     * acknowledged) is left out.
     *
     * @throws UncheckedIOException when the file cannot be read
     * @throws IllegalArgumentException when a complete line is not a JSON object, naming the line
     */
    public static void forEach(Path file, Consumer<ObjectNode> each) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
            byte[] line = new byte[4096];
            int length = 0;
            long number = 0;
            int b;
            while ((b = in.read()) >= 0) {
                if (b != '\n') {
                    if (length == line.length) {
                        line = Arrays.copyOf(line, line.length * 2);
                    }
                    line[length++] = (byte) b;
                    continue;
                }
                number++;
                ObjectNode record = AuditFormat.parseObject(line, length);
                if (record == null) {
                    throw new IllegalArgumentException(file + ": line " + number + " is not an audit record; run"
                            + " `toolgate audit verify " + file + "`");
                }
                each.accept(record);
                length = 0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit log " + file + ": " + e.getMessage(), e);
        }
    }
}
