package dev.toolgate.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.toolgate.audit.AuditVerifier;
import io.quarkus.runtime.annotations.RegisterForReflection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code audit verify FILE}: checks the hash chain and names the first broken record. */
@Command(name = "audit", description = "Work with audit logs.", subcommands = AuditCommand.Verify.class)
@RegisterForReflection
public class AuditCommand {

    @Command(name = "verify", description = "Check an audit log's hash chain; exit 1 and name the first broken record.")
    @RegisterForReflection
    public static class Verify implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", description = "The audit log (JSON lines).")
        Path file;

        @Override
        public Integer call() {
            AuditVerifier.Verification result = AuditVerifier.verify(file);
            if (result.ok()) {
                System.out.printf("%s: ok, %d records, chain intact%n", file, result.records());
                return 0;
            }
            System.err.printf("%s: BROKEN: %s%n", file, result.message());
            return 1;
        }
    }
}
