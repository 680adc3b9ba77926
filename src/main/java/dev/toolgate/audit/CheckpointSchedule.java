package dev.toolgate.audit;

import java.time.Duration;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * When the writer adds a checkpoint, and what it holds. Records written since the last checkpoint are
 * <em>uncovered</em>; a checkpoint is due once {@code everyRecords} of them were written, or {@code every} after the
 * first of them. Only the writer thread uses it.
 */
final class CheckpointSchedule {

    private final AuditSettings.CheckpointKey key;
    private final int everyRecords;
    private final long everyNanos;
    private long uncovered;
    /** {@link System#nanoTime()} when the first uncovered record was written. */
    private long since;

    /** What a failed write rolls back to. */
    record State(long uncovered, long since) {
    }

    CheckpointSchedule(AuditSettings.CheckpointKey key, int everyRecords, Duration every) {
        this.key = key;
        this.everyRecords = everyRecords;
        this.everyNanos = every.toNanos();
    }

    /** Counts a record written; true when a checkpoint is due after it by count. */
    boolean added() {
        if (uncovered++ == 0) {
            since = System.nanoTime();
        }
        return uncovered >= everyRecords;
    }

    /** Whether records were written since the last checkpoint. */
    boolean pending() {
        return uncovered > 0;
    }

    boolean dueByTime(long nanoTime) {
        return uncovered > 0 && nanoTime - since >= everyNanos;
    }

    /** {@link System#nanoTime()} when the next checkpoint is due by time; only meaningful when {@link #pending()}. */
    long deadline() {
        return since + everyNanos;
    }

    /** The body of a checkpoint over the record {@code headSeq} whose line hashes to {@code headHash}. */
    ObjectNode body(long headSeq, String headHash) {
        String signature = CheckpointSignatures.sign(key.key(), headSeq, headHash);
        return AuditRecords.checkpoint(headSeq, headHash, key.id(), signature);
    }

    /** Makes the next checkpoint due by time {@code every} from now. */
    void postpone() {
        since = System.nanoTime();
    }

    /** A checkpoint was written after the last record. */
    void covered() {
        uncovered = 0;
    }

    State state() {
        return new State(uncovered, since);
    }

    void restore(State state) {
        uncovered = state.uncovered();
        since = state.since();
    }
}
