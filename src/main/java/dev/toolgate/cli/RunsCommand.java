package dev.toolgate.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.audit.AuditSegments;
import dev.toolgate.audit.RunIndex;
import dev.toolgate.audit.RunRecords;
import io.quarkus.runtime.annotations.RegisterForReflection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code runs show ID --audit FILE}: a run's record, as {@code GET /v1/runs/{id}} gives it, read offline. */
@Command(name = "runs", description = "Read run records from an audit log.", subcommands = RunsCommand.Show.class)
@RegisterForReflection
public class RunsCommand {

    @Command(name = "show", description = "Print a run's record (JSON); exit 1 when the log has no such run.")
    @RegisterForReflection
    public static class Show implements Callable<Integer> {

        private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        @Parameters(paramLabel = "ID", description = "The run id.")
        String runId;

        @Option(names = "--audit", required = true, paramLabel = "FILE", description = "The audit log (JSON lines).")
        Path audit;

        @Option(names = "--tenant", paramLabel = "T", description = "The tenant, when the run id was used in several.")
        String tenant;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(audit)) {
                System.err.println(audit + ": no such audit log");
                return ReplayCommand.FAILED;
            }
            Path scratch = null;
            try {
                // an index of its own, so that reading a log never writes beside it
                scratch = Files.createTempFile("toolgate-runs", ".index");
                Files.delete(scratch);
                try (RunIndex index = new RunIndex(AuditSegments.of(audit), scratch)) {
                    List<String> tenants = tenant != null ? List.of(tenant) : index.tenantsOf(runId);
                    if (tenants.size() > 1) {
                        System.err.println("run " + runId + " was used in tenants " + tenants + ": name one with --tenant");
                        return ReplayCommand.FAILED;
                    }
                    if (tenants.isEmpty() || index.records(tenants.get(0), runId).isEmpty()) {
                        System.err.println(audit + ": no run " + runId);
                        return 1;
                    }
                    ObjectNode run = RunRecords.of(tenants.get(0), runId, index.records(tenants.get(0), runId),
                            r -> true);
                    System.out.println(JSON.writeValueAsString(run));
                    return 0;
                }
            } catch (IOException e) {
                System.err.println("cannot read " + audit + ": " + e.getMessage());
                return ReplayCommand.FAILED;
            } catch (UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
                System.err.println(e.getMessage());
                return ReplayCommand.FAILED;
            } finally {
                if (scratch != null) {
                    try {
                        Files.deleteIfExists(scratch);
                    } catch (IOException e) {
                        // a temporary file: the system cleans it up
                    }
                }
            }
        }
    }
}
