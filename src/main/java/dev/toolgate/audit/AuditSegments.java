package dev.toolgate.audit;

import static java.nio.file.StandardOpenOption.READ;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The files of one audit log, each known by the {@code seq} of its first record (which stays true when a file is
 * renamed), and random access to the records in them. Readers only; the writer owns the log.
 */
public final class AuditSegments {

    /** One file of the log. */
    public record Segment(Path file, long firstSeq) {
    }

    /** Where a record is. */
    public record Location(long fileFirstSeq, long offset, long seq) {
    }

    /** What a scan hands over: a whole record and the offset its line starts at. */
    @FunctionalInterface
    public interface Sink {
        void accept(long offset, ObjectNode record);
    }

    private final Path log;

    private AuditSegments(Path log) {
        this.log = log;
    }

    /** The files of the log at {@code log}. */
    public static AuditSegments of(Path log) {
        return new AuditSegments(log);
    }

    /** The log's files that hold records, oldest first. */
    public List<Segment> list() throws IOException {
        List<Segment> segments = new ArrayList<>();
        for (Path file : files()) {
            firstSeq(file).ifPresent(seq -> segments.add(new Segment(file, seq)));
        }
        segments.sort(java.util.Comparator.comparingLong(Segment::firstSeq));
        return segments;
    }

    /** The files that may hold records of the log: the rotated ones and the active one. */
    private List<Path> files() {
        return AuditFiles.list(log);
    }

    /**
     * Hands every whole record from {@code from} on to {@code sink}, and returns the offset after the last whole line
     * (a partial last line, still being written, is left for the next scan).
     *
     * @throws IllegalArgumentException when a whole line is not a record
     */
    public long scan(Segment segment, long from, Sink sink) throws IOException {
        try (FileChannel channel = FileChannel.open(segment.file(), READ);
                LineReader lines = new LineReader(Channels.newInputStream(channel.position(from)))) {
            long lineStart = from;
            while (lines.next()) {
                ObjectNode record = AuditFormat.parseObject(lines.bytes(), lines.length());
                if (record == null) {
                    throw new IllegalArgumentException(segment.file() + ": the line at byte " + lineStart
                            + " is not an audit record; run `toolgate audit verify`");
                }
                sink.accept(lineStart, record);
                lineStart += lines.length() + 1;
            }
            return lineStart;
        }
    }

    /** The records at these locations, in the order given; a location that names no such record is an error. */
    public List<ObjectNode> read(List<Location> locations) {
        Map<Long, FileChannel> open = new HashMap<>();
        try {
            Map<Long, Path> files = new HashMap<>();
            for (Segment segment : list()) {
                files.put(segment.firstSeq(), segment.file());
            }
            List<ObjectNode> records = new ArrayList<>(locations.size());
            for (Location location : locations) {
                Path file = files.get(location.fileFirstSeq());
                if (file == null) {
                    throw new IllegalStateException("the audit file starting at seq " + location.fileFirstSeq()
                            + " is gone (removed by retention?); its records cannot be read");
                }
                FileChannel channel = open.get(location.fileFirstSeq());
                if (channel == null) {
                    channel = FileChannel.open(file, READ);
                    open.put(location.fileFirstSeq(), channel);
                }
                records.add(readAt(channel, file, location));
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit log: " + e.getMessage(), e);
        } finally {
            open.values().forEach(ActiveFile::closeQuietly);
        }
    }

    /** The offset after the line at {@code location}, when that line is the record it names. */
    public Optional<Long> lineEnd(Location location) throws IOException {
        for (Segment segment : list()) {
            if (segment.firstSeq() == location.fileFirstSeq()) {
                try (FileChannel channel = FileChannel.open(segment.file(), READ)) {
                    byte[] line = line(channel, location.offset());
                    ObjectNode record = line == null ? null : AuditFormat.parseObject(line, line.length);
                    return record != null && AuditFormat.seq(record) == location.seq()
                            ? Optional.of(location.offset() + line.length + 1)
                            : Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private static ObjectNode readAt(FileChannel channel, Path file, Location location) throws IOException {
        byte[] line = line(channel, location.offset());
        ObjectNode record = line == null ? null : AuditFormat.parseObject(line, line.length);
        if (record == null || AuditFormat.seq(record) != location.seq()) {
            throw new IllegalStateException(file + ": no record " + location.seq() + " at byte " + location.offset()
                    + "; the run index does not match the log (delete " + "the .runs file to make it again)");
        }
        return record;
    }

    /** The whole line starting at {@code offset}, without its newline; null when there is none. */
    private static byte[] line(FileChannel channel, long offset) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        byte[] line = new byte[0];
        long at = offset;
        while (true) {
            int read = channel.read(buffer.clear(), at);
            if (read <= 0) {
                return null;
            }
            buffer.flip();
            for (int i = 0; i < read; i++) {
                if (buffer.get(i) == '\n') {
                    byte[] whole = Arrays.copyOf(line, line.length + i);
                    buffer.get(0, whole, line.length, i);
                    return whole;
                }
            }
            int had = line.length;
            line = Arrays.copyOf(line, had + read);
            buffer.get(0, line, had, read);
            at += read;
        }
    }

    /** The seq of a file's first record, or empty when it has no whole record. */
    private static Optional<Long> firstSeq(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty(); // rotated away since it was listed: the next listing has it under its new name
        }
        try (FileChannel channel = FileChannel.open(file, READ)) {
            byte[] line = line(channel, 0);
            ObjectNode record = line == null ? null : AuditFormat.parseObject(line, line.length);
            long seq = record == null ? -1 : AuditFormat.seq(record);
            return seq < 1 ? Optional.empty() : Optional.of(seq);
        }
    }
}
