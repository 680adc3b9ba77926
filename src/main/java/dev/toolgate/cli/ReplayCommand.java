package dev.toolgate.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.audit.AuditFiles;
import dev.toolgate.policy.OpaEngine;
import dev.toolgate.policy.PolicyBundle;
import dev.toolgate.policy.PolicyBundleException;
import dev.toolgate.policy.Replay;
import io.quarkus.runtime.annotations.RegisterForReflection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code replay --audit FILE --bundle CANDIDATE [--run ID | --since T]}: decides every recorded call again under a
 * candidate bundle and lists those it decides differently. Exit 0 when none changes, 1 when one does, 2 when the
 * replay could not run (a bad option, an unreadable log or bundle): a gate for policy pull requests.
 */
@Command(name = "replay", description = "Decide recorded calls again under a candidate policy bundle; exit 1 when"
        + " any decision changes.")
@RegisterForReflection
public class ReplayCommand implements Callable<Integer> {

    static final int CHANGED = 1;
    static final int FAILED = 2;

    @Option(names = "--audit", required = true, paramLabel = "FILE", description = "The audit log (JSON lines); the"
            + " files rotated out of it are read too.")
    Path audit;

    @Option(names = "--bundle", required = true, paramLabel = "CANDIDATE", description = "The candidate bundle"
            + " (opa build -t wasm -e toolgate/decision).")
    Path bundle;

    @Option(names = "--run", paramLabel = "ID", description = "Only the calls of this run.")
    String run;

    @Option(names = "--since", paramLabel = "T", description = "Only calls recorded at or after this time (RFC 3339,"
            + " e.g. 2026-12-01T00:00:00Z).")
    String since;

    @Override
    public Integer call() {
        Instant from;
        try {
            from = since == null ? Instant.MIN : Instant.parse(since);
        } catch (DateTimeParseException e) {
            System.err.println("--since: not an RFC 3339 time such as 2026-12-01T00:00:00Z: " + since);
            return FAILED;
        }
        if (AuditFiles.list(audit).isEmpty()) {
            System.err.println(audit + ": no such audit log");
            return FAILED;
        }
        PolicyBundle candidate;
        try {
            candidate = PolicyBundle.read(bundle);
        } catch (PolicyBundleException e) {
            System.err.println(e.getMessage());
            return FAILED;
        }
        long[] counts = new long[2]; // replayed, changed
        try (OpaEngine engine = OpaEngine.start(candidate, 1, false)) {
            Replay replay = new Replay(engine);
            // the active file and every file rotated out of it, in seq order
            try (java.util.stream.Stream<ObjectNode> records = AuditFiles.records(audit)) {
                records.filter(record -> selected(record, from)).forEach(record -> replay.replay(record)
                        .ifPresent(r -> {
                            counts[0]++;
                            if (r.changed()) {
                                counts[1]++;
                                System.out.println(describe(r));
                            }
                        }));
            }
        } catch (PolicyBundleException | UncheckedIOException | IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return FAILED;
        }
        System.out.printf("%d decisions replayed from %s under %s (revision %s): %d changed%n", counts[0], audit,
                bundle, candidate.revision(), counts[1]);
        return counts[1] == 0 ? 0 : CHANGED;
    }

    private boolean selected(ObjectNode record, Instant from) {
        if (!record.path("input").isObject()) {
            return false; // not a decision: an outcome, an approval event, a checkpoint
        }
        if (run != null && !run.equals(record.path("run_id").asText())) {
            return false;
        }
        if (from == Instant.MIN) {
            return true;
        }
        try {
            return !Instant.parse(record.path("time").asText()).isBefore(from);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(audit + ": record " + record.path("seq").asText()
                    + " has no valid time");
        }
    }

    /** One changed call: which, by whom, and both verdicts with the candidate's reasons. */
    static String describe(Replay.Replayed r) {
        ObjectNode record = r.record();
        String action = record.path("action").isTextual() ? " " + record.path("action").textValue() : "";
        return String.format("CHANGED %s %s %s%s (agent %s, tenant %s, run %s): %s -> %s%s",
                record.path("time").asText(), record.path("decision_id").asText(), record.path("tool").asText(),
                action, record.path("principal").path("agent").asText("?"),
                record.path("principal").path("tenant").asText("?"), record.path("run_id").asText(""),
                r.before().describe(), r.after().describe(),
                r.after().reasons().isEmpty() ? "" : "; reasons: " + String.join("; ", r.after().reasons()));
    }
}
