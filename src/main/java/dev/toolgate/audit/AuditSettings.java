package dev.toolgate.audit;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import dev.toolgate.config.ToolgateConfig;

/**
 * How a {@link FileAuditLog} writes, checked when it is made: a bad or conflicting setting stops startup with a
 * message naming its {@code toolgate.audit.*} property.
 *
 * @param file the active log file
 * @param maxBatch most records in one group commit
 * @param outcomeSyncDelay how long an outcome record may stay written but not fsynced; zero for never
 * @param rotateBytes rotate once the file is this large, when present
 * @param rotateInterval rotate once the file's first record is this old, when present
 * @param checkpointKey the key checkpoints are signed with; no checkpoints when absent
 * @param checkpointEveryRecords a checkpoint after this many records
 * @param checkpointEvery a checkpoint at most this long after the first record the last one does not cover
 * @param checkpointFile a file each checkpoint line is also appended to, when present
 * @param exportFile a file every durable line is also appended to, when present
 */
public record AuditSettings(Path file, int maxBatch, Duration outcomeSyncDelay, OptionalLong rotateBytes,
        Optional<Duration> rotateInterval, Optional<CheckpointKey> checkpointKey, int checkpointEveryRecords,
        Duration checkpointEvery, Optional<Path> checkpointFile, Optional<Path> exportFile) {

    /** A checkpoint signing key and the id written next to its signatures. */
    public record CheckpointKey(PrivateKey key, String id) {

        public CheckpointKey {
            Objects.requireNonNull(key, "key");
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("toolgate.audit.checkpoint.key-id must be set when"
                        + " toolgate.audit.checkpoint.key is: checkpoints name their key so that a verifier knows"
                        + " which public key to use");
            }
        }
    }

    public AuditSettings {
        Objects.requireNonNull(file, "file");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("toolgate.audit.max-batch must be at least 1, was " + maxBatch);
        }
        if (outcomeSyncDelay.isNegative()) {
            throw new IllegalArgumentException("toolgate.audit.outcome-sync-delay must not be negative, was "
                    + outcomeSyncDelay);
        }
        if (rotateBytes.isPresent() && rotateBytes.getAsLong() < 1) {
            throw new IllegalArgumentException("toolgate.audit.rotate-size must be above 0, was "
                    + rotateBytes.getAsLong() + " bytes");
        }
        positive(rotateInterval.orElse(Duration.ofSeconds(1)), "toolgate.audit.rotate-interval");
        if (checkpointEveryRecords < 1) {
            throw new IllegalArgumentException("toolgate.audit.checkpoint.every-records must be at least 1, was "
                    + checkpointEveryRecords);
        }
        positive(checkpointEvery, "toolgate.audit.checkpoint.every");
        if (checkpointFile.isPresent() && checkpointKey.isEmpty()) {
            throw new IllegalArgumentException("toolgate.audit.checkpoint.file is set but toolgate.audit.checkpoint.key"
                    + " is not: without a key there are no checkpoints to copy");
        }
        distinct(file, "toolgate.audit.path", exportFile, "toolgate.audit.export.file");
        distinct(file, "toolgate.audit.path", checkpointFile, "toolgate.audit.checkpoint.file");
        exportFile.ifPresent(export -> distinct(export, "toolgate.audit.export.file", checkpointFile,
                "toolgate.audit.checkpoint.file"));
    }

    /** A log in {@code file}: every record durable before its answer, no rotation, checkpoints or export. */
    public static AuditSettings of(Path file, int maxBatch) {
        return new AuditSettings(file, maxBatch, Duration.ZERO, OptionalLong.empty(), Optional.empty(),
                Optional.empty(), 1000, Duration.ofMinutes(1), Optional.empty(), Optional.empty());
    }

    /**
     * The settings of {@code toolgate.audit}, with the checkpoint key read.
     *
     * @throws IllegalArgumentException when a setting is bad, or the key cannot be read or is no Ed25519 key
     */
    public static AuditSettings from(ToolgateConfig.Audit config) {
        ToolgateConfig.Checkpoint checkpoint = config.checkpoint();
        Optional<CheckpointKey> key = checkpoint.key().map(path -> {
            PrivateKey privateKey;
            try {
                privateKey = CheckpointSignatures.readPrivateKey(path);
                // a key that reads but cannot sign would fail the first checkpoint, far from here
                CheckpointSignatures.sign(privateKey, 0, AuditFormat.ZERO_HASH);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new IllegalArgumentException("toolgate.audit.checkpoint.key: " + e.getMessage(), e);
            }
            return new CheckpointKey(privateKey, checkpoint.keyId().orElse(null));
        });
        if (key.isEmpty() && checkpoint.keyId().isPresent()) {
            throw new IllegalArgumentException("toolgate.audit.checkpoint.key-id is set but toolgate.audit.checkpoint.key"
                    + " is not: name the private key file, or remove the id");
        }
        OptionalLong rotateBytes = config.rotateSize().map(size -> OptionalLong.of(size.asLongValue()))
                .orElse(OptionalLong.empty());
        return new AuditSettings(config.path(), config.maxBatch(), config.outcomeSyncDelay(), rotateBytes,
                config.rotateInterval(), key, checkpoint.everyRecords(), checkpoint.every(), checkpoint.file(),
                config.export().file());
    }

    public AuditSettings withOutcomeSyncDelay(Duration delay) {
        return new AuditSettings(file, maxBatch, delay, rotateBytes, rotateInterval, checkpointKey,
                checkpointEveryRecords, checkpointEvery, checkpointFile, exportFile);
    }

    /** Rotation by size, by time, or both (an empty value turns that one off). */
    public AuditSettings withRotation(OptionalLong bytes, Optional<Duration> interval) {
        return new AuditSettings(file, maxBatch, outcomeSyncDelay, bytes, interval, checkpointKey,
                checkpointEveryRecords, checkpointEvery, checkpointFile, exportFile);
    }

    public AuditSettings withCheckpoints(CheckpointKey key, int everyRecords, Duration every, Optional<Path> copy) {
        return new AuditSettings(file, maxBatch, outcomeSyncDelay, rotateBytes, rotateInterval, Optional.of(key),
                everyRecords, every, copy, exportFile);
    }

    public AuditSettings withExportFile(Optional<Path> export) {
        return new AuditSettings(file, maxBatch, outcomeSyncDelay, rotateBytes, rotateInterval, checkpointKey,
                checkpointEveryRecords, checkpointEvery, checkpointFile, export);
    }

    private static void positive(Duration duration, String property) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(property + " must be above 0, was " + duration);
        }
    }

    private static void distinct(Path one, String oneProperty, Optional<Path> other, String otherProperty) {
        if (other.isPresent() && one.toAbsolutePath().normalize().equals(other.get().toAbsolutePath().normalize())) {
            throw new IllegalArgumentException(otherProperty + " and " + oneProperty + " name the same file, "
                    + one + "; each needs a file of its own");
        }
    }
}
