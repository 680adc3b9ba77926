package dev.toolgate.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The files of one audit log: the active file, which keeps its configured name, and the files rotated out of it, named
 * after it with the first and last {@code seq} they hold, zero-padded to 20 digits so that name order is seq order:
 * {@code audit.jsonl} rotates to {@code audit.00000000000000000001-00000000000000004096.jsonl}.
 */
public final class AuditFiles {

    private static final int DIGITS = 20;
    private static final Pattern ANY_ROTATED = Pattern.compile(".+\\.(\\d{20})-(\\d{20})(?:\\.[^.]*)?");

    private AuditFiles() {
    }

    /** The seqs a rotated file's name says it holds. */
    record SeqRange(long first, long last) {
    }

    /**
     * The files of the log whose active file is {@code activeLog}, oldest first: its rotated files in seq order, then
     * the active file if it exists. Empty when there are none.
     *
     * @throws UncheckedIOException when the directory cannot be listed
     */
    public static List<Path> list(Path activeLog) {
        List<Path> files = new ArrayList<>(rotated(activeLog));
        if (Files.exists(activeLog)) {
            files.add(activeLog);
        }
        return files;
    }

    /**
     * Every record of the log, across its rotated files, in seq order, read lazily; close the stream. Records are not
     * verified (see {@link AuditVerifier}); checkpoint records are included ({@code type: "checkpoint"}). A record
     * written while the stream is read may or may not be in it; a file rotated meanwhile is followed; a torn last line
     * (a write in progress) is left out. Where files were deleted, the stream goes on with the next file there is.
     *
     * @throws UncheckedIOException when a file cannot be read, or a line is not a JSON object (naming file and line)
     */
    public static Stream<ObjectNode> records(Path activeLog) {
        RecordIterator records = new RecordIterator(activeLog);
        return records.stream().onClose(records::close);
    }

    /** The name {@code activeLog} is rotated to once it holds seqs {@code first} to {@code last}. */
    public static Path rotatedName(Path activeLog, long first, long last) {
        String[] parts = split(activeLog);
        return activeLog.resolveSibling(parts[0] + "." + pad(first) + "-" + pad(last) + parts[1]);
    }

    /** The rotated files of {@code activeLog}, in seq order. */
    static List<Path> rotated(Path activeLog) {
        Pattern pattern = pattern(activeLog);
        Path directory = activeLog.toAbsolutePath().getParent();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (pattern.matcher(name).matches() && Files.isRegularFile(entry)) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the audit log files in " + directory + ": " + e, e);
        }
        names.sort(null); // zero-padded: name order is seq order
        return names.stream().map(activeLog::resolveSibling).toList();
    }

    /** The seqs a file's name says it holds, when it is named as a rotated file. */
    static Optional<SeqRange> range(Path file) {
        Matcher matcher = ANY_ROTATED.matcher(file.getFileName().toString());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new SeqRange(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))));
    }

    private static Pattern pattern(Path activeLog) {
        String[] parts = split(activeLog);
        return Pattern.compile(Pattern.quote(parts[0]) + "\\.(\\d{" + DIGITS + "})-(\\d{" + DIGITS + "})"
                + Pattern.quote(parts[1]));
    }

    /** The active file's name split before its extension: {@code audit}, {@code .jsonl}. */
    private static String[] split(Path activeLog) {
        String name = activeLog.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? new String[] { name.substring(0, dot), name.substring(dot) } : new String[] { name, "" };
    }

    private static String pad(long seq) {
        String digits = Long.toString(seq);
        return "0".repeat(DIGITS - digits.length()) + digits;
    }
}
