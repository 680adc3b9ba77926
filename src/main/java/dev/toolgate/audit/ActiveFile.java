package dev.toolgate.audit;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

import org.jboss.logging.Logger;

/**
 * The file the writer appends to, under its configured name, locked so that no second writer interleaves its own
 * chain; and its rotation: once it is large or old enough, renamed to the name of the seqs it holds, and a new, empty
 * file opened in its place. Only the writer thread uses it after it is opened.
 */
final class ActiveFile {

    private static final Logger LOG = Logger.getLogger(ActiveFile.class);

    private final Path path;
    private FileChannel channel;
    private long rotateBytes = Long.MAX_VALUE;
    /** Null: no rotation by time. */
    private Duration rotateInterval;
    /** The seq of the file's first record, and its time (null while the file is empty). */
    private long firstSeq;
    private Instant start;
    private boolean rotationFailing;

    private ActiveFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** The rotation renamed the file but could neither open a new one nor put the old one back: no file to write. */
    static final class Stranded extends IOException {
        Stranded(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Opens (or creates) and locks the file.
     *
     * @throws IllegalStateException when it cannot be opened or is locked by another writer
     */
    static ActiveFile open(Path path) {
        return new ActiveFile(path, openChannel(path));
    }

    Path path() {
        return path;
    }

    FileChannel channel() {
        return channel;
    }

    /**
     * When the file is rotated: once it holds {@code bytes}, or its first record is {@code interval} old.
     *
     * @param firstSeq the seq of the file's first record, or of its next one when it is empty
     * @param start the time of its first record; null when it is empty
     */
    void rotation(OptionalLong bytes, Optional<Duration> interval, long firstSeq, Instant start) {
        this.rotateBytes = bytes.orElse(Long.MAX_VALUE);
        this.rotateInterval = interval.orElse(null);
        this.firstSeq = firstSeq;
        this.start = start;
    }

    /** The first records were written into the empty file at {@code now}. */
    void started(Instant now) {
        start = now;
    }

    /** Whether the file is ever rotated. */
    boolean rotates() {
        return rotateBytes != Long.MAX_VALUE || rotateInterval != null;
    }

    /** Whether the file, {@code size} bytes long, is due to be rotated; an empty file never is. */
    boolean rotationDue(long size, Instant now) {
        return size > 0 && (size >= rotateBytes
                || rotateInterval != null && start != null && !now.isBefore(start.plus(rotateInterval)));
    }

    /**
     * Renames the file, which holds seqs up to {@code lastSeq} and is synced, to its rotated name and opens a new,
     * empty one in its place, and syncs the directory, so that both names are durable. When the rename fails nothing
     * changed: the log goes on in the same file, and the failure is logged once.
     *
     * @return whether the file was rotated
     * @throws Stranded when the file was renamed and no file is left to write to
     */
    boolean rotate(long lastSeq) throws Stranded {
        Path target = AuditFiles.rotatedName(path, firstSeq, lastSeq);
        try {
            if (Files.exists(target)) {
                // rename(2) would replace it: never lose a file of the chain
                throw new FileAlreadyExistsException(target.toString());
            }
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            if (!rotationFailing) {
                rotationFailing = true;
                LOG.warnf("cannot rotate the audit log %s to %s (%s); it goes on in the same file, and rotation is"
                        + " tried again at every batch", path, target, e);
            }
            return false;
        }
        FileChannel fresh;
        try {
            fresh = openChannel(path);
        } catch (IllegalStateException e) {
            try {
                Files.move(target, path, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException back) {
                throw new Stranded("the audit log " + path + " was rotated to " + target + " but no new file could be"
                        + " opened (" + e.getMessage() + ") and the old one not moved back (" + back + ")", e);
            }
            LOG.warnf("cannot open a new audit log %s after rotating (%s); the log goes on in the old file",
                    path, e.getMessage());
            return false;
        }
        // opening the new file synced the directory, the rename with it
        closeQuietly(channel);
        channel = fresh;
        firstSeq = lastSeq + 1;
        start = null;
        rotationFailing = false;
        return true;
    }

    void close() {
        closeQuietly(channel);
    }

    private static FileChannel openChannel(Path file) {
        FileChannel channel = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            boolean created = !Files.exists(file);
            channel = FileChannel.open(file, CREATE, READ, WRITE);
            // only a regular file can hold a chain; a device such as /dev/full (tests) is not locked
            if (Files.isRegularFile(file) && channel.tryLock() == null) {
                throw new IllegalStateException("the audit log " + file + " is locked by another process; two"
                        + " writers would break its chain");
            }
            if (created && parent != null) {
                syncDirectory(parent);
            }
            return channel;
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(channel);
            String why = e instanceof OverlappingFileLockException ? "it is already open in this process" : e.toString();
            throw new IllegalStateException("cannot open the audit log " + file + ": " + why, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Makes a directory's entries durable; not every platform can open a directory, which is then skipped. */
    static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.debugf("cannot sync directory %s: %s", directory, e);
        }
    }

    static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debugf("closing the audit log: %s", e);
        }
    }
}
