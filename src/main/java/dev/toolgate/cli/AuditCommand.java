package dev.toolgate.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.toolgate.audit.AuditFiles;
import dev.toolgate.audit.AuditVerifier;
import dev.toolgate.audit.AuditVerifier.Options;
import dev.toolgate.audit.AuditVerifier.Verification;
import dev.toolgate.audit.CheckpointSignatures;
import io.quarkus.runtime.annotations.RegisterForReflection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code audit verify FILE}: checks the hash chain and names the first broken record. */
@Command(name = "audit", description = "Work with audit logs.", subcommands = AuditCommand.Verify.class)
@RegisterForReflection
public class AuditCommand {

    /** Exit status when a file or key cannot be read (1: the log is broken; 0: it holds). */
    static final int UNREADABLE = 2;

    @Command(name = "verify", description = {
            "Check an audit log's hash chain, across its rotated files, and its signed checkpoints.",
            "Exit 0 when it holds; 1 naming the first broken record (file and line); 2 when a file or key cannot be"
                    + " read." })
    @RegisterForReflection
    public static class Verify implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "The log's active file (the files rotated out"
                + " of it are found next to it), or several files of one log, oldest first.")
        List<Path> files;

        @Option(names = "--key", paramLabel = "PUBLIC.pem", description = "An Ed25519 public key (PEM) every"
                + " checkpoint's signature must verify with; repeat for several. The log must hold a checkpoint.")
        List<Path> keys = new ArrayList<>();

        @Option(names = "--checkpoints", paramLabel = "COPY", description = "A copy kept off this machine of the"
                + " log's checkpoints (toolgate.audit.checkpoint.file) or records (toolgate.audit.export.file): every"
                + " record in it must be in the log, and the log must not end before its last one.")
        Path shipped;

        @Option(names = "--allow-pruned", description = "The log may begin after its first record (older files"
                + " deleted); the first record there is is taken on trust.")
        boolean allowPruned;

        @Override
        public Integer call() {
            List<PublicKey> publicKeys = new ArrayList<>();
            List<Path> set;
            Verification result;
            try {
                keys.forEach(key -> publicKeys.add(CheckpointSignatures.readPublicKey(key)));
                set = files.size() == 1 ? AuditFiles.list(files.get(0)) : files;
                if (set.isEmpty()) {
                    System.err.printf("%s: no audit log there, and no file rotated out of it%n", files.get(0));
                    return UNREADABLE;
                }
                result = AuditVerifier.verify(set, new Options(publicKeys, Optional.ofNullable(shipped),
                        allowPruned));
            } catch (IllegalArgumentException | UncheckedIOException e) {
                System.err.println("error: " + e.getMessage());
                return UNREADABLE;
            }
            if (!result.ok()) {
                System.err.printf("%s: BROKEN: %s%n", files.get(0), result.message());
                return 1;
            }
            System.out.printf("%s: ok, %s%n", files.get(0), summary(result, set.size()));
            return 0;
        }

        private String summary(Verification result, int fileCount) {
            StringBuilder summary = new StringBuilder().append(result.records()).append(" records");
            if (fileCount > 1) {
                summary.append(" in ").append(fileCount).append(" files");
            }
            if (result.firstSeq() > 1) {
                summary.append(" from seq ").append(result.firstSeq()).append(" (older records pruned)");
            }
            summary.append(", chain intact");
            if (result.checkpoints() > 0) {
                summary.append("; ").append(result.checkpoints()).append(" checkpoints, ")
                        .append(keys.isEmpty() ? "signatures not checked (no --key)" : "signatures verified")
                        .append(", the last at seq ").append(result.lastCheckpointSeq());
            }
            if (result.uncovered() > 0 && (result.checkpoints() > 0 || !keys.isEmpty())) {
                summary.append("; ").append(result.uncovered()).append(" records after it not covered by a checkpoint");
            }
            if (shipped != null) {
                summary.append("; ").append(result.shippedMatched()).append(" records of ").append(shipped)
                        .append(" found in it");
            }
            return summary.toString();
        }
    }
}
