package dev.toolgate.audit;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** The lines of one commit as the writer serialises them: all of them, and the checkpoints among them. */
final class BatchLines {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private int count;
    private List<byte[]> checkpoints = List.of();

    /** Adds a line (without its newline). */
    void add(byte[] line) {
        bytes.write(line, 0, line.length);
        bytes.write('\n');
        count++;
    }

    void addCheckpoint(byte[] line) {
        add(line);
        if (checkpoints.isEmpty()) {
            checkpoints = new ArrayList<>(1);
        }
        checkpoints.add(line);
    }

    /** Every line, each ending in {@code \n}. */
    byte[] bytes() {
        return bytes.toByteArray();
    }

    int count() {
        return count;
    }

    /** The checkpoint lines, without their newlines. */
    List<byte[]> checkpoints() {
        return checkpoints;
    }
}
