package dev.toolgate.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Checks an audit log end to end, over one file or a rotated set in seq order: every line is a JSON object,
 * {@code seq} counts from 1 without gaps, the first {@code prev} is 64 zeros and every other {@code prev} is the
 * SHA-256 of the line before, across file boundaries too; a rotated file holds the seqs its name says. Checkpoints
 * must sign the record before them, and with keys their signatures must verify. With a shipped copy, every record it
 * holds must be in the log, and the log must not end before its last. Streams the files, so their size does not
 * matter; stops at the first break.
 */
public final class AuditVerifier {

    private AuditVerifier() {
    }

    /**
     * What to check besides the chain.
     *
     * @param keys Ed25519 public keys a checkpoint's signature must verify with (one of them); none: signatures are
     *        not checked
     * @param shipped a copy of the log's records kept elsewhere (the checkpoint file or the export file)
     * @param allowPruned whether the set may begin after seq 1 (older files deleted): its first record's {@code prev}
     *        is then taken on trust
     */
    public record Options(List<PublicKey> keys, Optional<Path> shipped, boolean allowPruned) {

        public static final Options NONE = new Options(List.of(), Optional.empty(), false);

        public Options {
            keys = List.copyOf(keys);
        }
    }

    /**
     * The result of a check.
     *
     * @param ok whether the whole set holds
     * @param records how many records were checked and held (all of them when {@code ok})
     * @param brokenFile the file where the first break was found
     * @param brokenLine the 1-based line of that file where it was found, or 0 when none
     * @param message what was found, naming the record and line (and the file, in a set of several)
     * @param firstSeq the seq of the set's first record, or 0 when it has none
     * @param checkpoints how many checkpoint records held
     * @param lastCheckpointSeq the seq of the last of them, or 0
     * @param uncovered how many records follow the last checkpoint (all of them when there is none)
     * @param shippedMatched how many records of the shipped copy the log held, byte for byte
     */
    public record Verification(boolean ok, long records, Optional<Path> brokenFile, long brokenLine, String message,
            long firstSeq, long checkpoints, long lastCheckpointSeq, long uncovered, long shippedMatched) {
    }

    /**
     * Checks one file as a whole log.
     *
     * @throws UncheckedIOException when the file cannot be read
     */
    public static Verification verify(Path file) {
        return verify(List.of(file), Options.NONE);
    }

    /**
     * Checks the log whose active file is {@code activeLog}: its rotated files and it (see {@link AuditFiles#list}).
     *
     * @throws UncheckedIOException when there is no such log, or a file cannot be read
     */
    public static Verification verifyLog(Path activeLog, Options options) {
        List<Path> files = AuditFiles.list(activeLog);
        if (files.isEmpty()) {
            throw new UncheckedIOException(new IOException("no audit log at " + activeLog + ", and no file rotated"
                    + " out of it"));
        }
        return verify(files, options);
    }

    /**
     * Checks files that hold one log, oldest first.
     *
     * @throws UncheckedIOException when a file cannot be read
     */
    public static Verification verify(List<Path> files, Options options) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no audit log files to verify");
        }
        Path reading = files.get(0);
        try (ShippedCopy shipped = options.shipped().isPresent() ? new ShippedCopy(options.shipped().get()) : null) {
            Pass pass = new Pass(files.size() > 1, options, shipped);
            if (shipped != null) {
                String problem = shipped.start();
                if (problem != null) {
                    return pass.broken(options.shipped().get(), 0, problem);
                }
            }
            for (Path file : files) {
                reading = file;
                Verification broken = pass.file(file);
                if (broken != null) {
                    return broken;
                }
            }
            return pass.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + reading + ": " + e.getMessage(), e);
        }
    }

    /** One pass over a set of files. */
    private static final class Pass {

        private final boolean several;
        private final Options options;
        private final ShippedCopy shipped;
        private final CheckpointCheck checkpoints;
        private long records;
        private long firstSeq;
        private long expectedSeq = 1;
        private String previousHash = AuditFormat.ZERO_HASH;
        private Path previousFile;

        Pass(boolean several, Options options, ShippedCopy shipped) {
            this.several = several;
            this.options = options;
            this.shipped = shipped;
            this.checkpoints = new CheckpointCheck(options.keys());
        }

        /** Checks one file of the set; the first break, or null. */
        Verification file(Path file) throws IOException {
            long fileFirst = 0;
            long fileLast = 0;
            try (LineReader lines = new LineReader(Files.newInputStream(file))) {
                while (lines.next()) {
                    long line = lines.number();
                    String problem = line(file, lines);
                    if (problem != null) {
                        return broken(file, line, problem);
                    }
                    fileFirst = fileFirst == 0 ? expectedSeq - 1 : fileFirst;
                    fileLast = expectedSeq - 1;
                }
                if (lines.partial() > 0) {
                    long line = lines.number() + 1;
                    return broken(file, line, prefix(file) + "line " + line + ": partial record at the end of the"
                            + " file (no newline); a write interrupted by a crash, never acknowledged, which toolgate"
                            + " cuts off when it starts");
                }
            }
            Optional<AuditFiles.SeqRange> named = AuditFiles.range(file);
            if (named.isPresent() && (named.get().first() != fileFirst || named.get().last() != fileLast)) {
                String holds = fileFirst == 0 ? "none" : fileFirst + " to " + fileLast;
                return broken(file, 0, file + " is named for seqs " + named.get().first() + " to " + named.get().last()
                        + " but holds " + holds);
            }
            previousFile = file;
            return null;
        }

        /** The problem with the line just read, or null when it continues the chain. */
        private String line(Path file, LineReader lines) throws IOException {
            long line = lines.number();
            ObjectNode record = AuditFormat.parseObject(lines.bytes(), lines.length());
            if (record == null) {
                return prefix(file) + "line " + line + ": not a JSON object";
            }
            String where = prefix(file) + "record " + expectedSeq + " (line " + line + "): ";
            long seq = AuditFormat.seq(record);
            String prev = AuditFormat.prev(record);
            boolean first = records == 0;
            if (first && options.allowPruned() && seq > 1) {
                expectedSeq = seq;
                previousHash = prev;
                where = prefix(file) + "record " + expectedSeq + " (line " + line + "): ";
            }
            if (seq != expectedSeq) {
                return where + "seq " + expectedSeq + " expected, found "
                        + (record.has("seq") ? record.get("seq").toString() : "none") + gap(first, line, seq);
            }
            if (prev == null) {
                return where + "prev is not a SHA-256 in lowercase hex";
            }
            if (!prev.equals(previousHash)) {
                if (seq == 1) {
                    return where + "prev of the first record must be 64 zeros";
                }
                return where + "prev does not match the SHA-256 of "
                        + (line > 1 ? "line " + (line - 1) : "the last line of " + previousFile);
            }
            String problem = checkpoints.check(record, seq, prev);
            if (problem != null) {
                return where + problem;
            }
            if (shipped != null) {
                problem = shipped.check(seq, lines.bytes(), lines.length(), first);
                if (problem != null) {
                    return where + problem;
                }
            }
            if (first) {
                firstSeq = seq;
            }
            records++;
            expectedSeq = seq + 1;
            previousHash = AuditFormat.sha256(lines.bytes(), lines.length());
            return null;
        }

        /** Why a seq was not the one expected, when it jumped ahead. */
        private String gap(boolean first, long line, long seq) {
            if (first && seq > 1) {
                return ": the log does not begin at its first record (older files deleted? --allow-pruned checks"
                        + " from the first file there is)";
            }
            if (line == 1 && seq > expectedSeq) {
                return ": records " + expectedSeq + " to " + (seq - 1) + " are missing (a file of the set deleted,"
                        + " or the files out of order?)";
            }
            return "";
        }

        private String prefix(Path file) {
            return several ? file + ": " : "";
        }

        Verification broken(Path file, long line, String message) {
            return new Verification(false, records, Optional.of(file), line, message, firstSeq,
                    checkpoints.checkpoints(), checkpoints.lastSeq(), checkpoints.uncovered(),
                    shipped == null ? 0 : shipped.matched());
        }

        Verification finish() {
            if (!options.keys().isEmpty() && records > 0 && checkpoints.checkpoints() == 0) {
                return broken(previousFile, 0, "no checkpoint in " + records + " records: no signature vouches for"
                        + " any of them");
            }
            if (shipped != null) {
                String problem = shipped.finish(expectedSeq - 1);
                if (problem != null) {
                    return broken(previousFile, 0, prefix(previousFile) + problem);
                }
            }
            return new Verification(true, records, Optional.empty(), 0, records + " records, chain intact",
                    firstSeq, checkpoints.checkpoints(), checkpoints.lastSeq(), checkpoints.uncovered(),
                    shipped == null ? 0 : shipped.matched());
        }
    }
}
