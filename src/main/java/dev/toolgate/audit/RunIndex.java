package dev.toolgate.audit;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Which records of the audit log belong to which run, so that a run is read without scanning the log. The log is the
 * truth; the index is kept beside it ({@code <log>.runs}, JSON lines, one per indexed record) and can always be made
 * again from it. It follows the log by reading what was appended since it last looked, when it is asked, so the writer
 * does not wait for it; a record is indexed by the {@code seq} of the first record of its file and its byte offset,
 * which stay true when the file is rotated and renamed.
 * <p>
 * A call record is indexed under its tenant and {@code run_id} (records without a run are not); an approval record,
 * which names no run, under the run of the call its decision id belongs to. At start the index file is read and
 * checked against the log (its last entry must point at the record it names); an index that does not match is made
 * again from the log. Thread-safe: one reader at a time.
 */
public final class RunIndex implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RunIndex.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** How many calls' decision ids are remembered to put later approval events under their run. */
    private static final int DECISIONS_REMEMBERED = 100_000;

    /** Where one record is: the first seq of its file, its offset there, its own seq. */
    record Entry(long fileFirstSeq, long offset, long seq) {
    }

    /** A run's place in the index. */
    public record RunSummary(String tenant, String runId, List<String> agents, Instant firstSeen, Instant lastSeen,
            long records) {
    }

    private static final class Run {
        final String tenant;
        final String runId;
        final List<String> agents = new ArrayList<>(1);
        final List<Entry> entries = new ArrayList<>();
        Instant first;
        Instant last;

        Run(String tenant, String runId) {
            this.tenant = tenant;
            this.runId = runId;
        }

        RunSummary summary() {
            return new RunSummary(tenant, runId, List.copyOf(agents), first, last, entries.size());
        }
    }

    private final AuditSegments segments;
    private final Path indexFile;
    private final Map<String, Run> runs = new HashMap<>();
    private final Map<String, String> decisionRuns = bounded();
    private final Map<String, String> approvalRuns = bounded();
    private final Map<String, List<Waiting>> waiting = bounded();
    private BufferedWriter out;
    /** Where reading stopped: the first seq of the file being read, and the offset after its last whole line. */
    private long fileFirstSeq = -1;
    private long position;
    private long lastSeq;

    /**
     * @param segments the audit log's files
     * @param indexFile where the index is kept
     */
    public RunIndex(AuditSegments segments, Path indexFile) {
        this.segments = segments;
        this.indexFile = indexFile;
    }

    /** The index of the log at {@code log}, kept in {@code <log>.runs}. */
    public static RunIndex beside(Path log) {
        return new RunIndex(AuditSegments.of(log), log.resolveSibling(log.getFileName() + ".runs"));
    }

    /** The records of a run of a tenant, in log order (after reading what the log gained). */
    public synchronized List<ObjectNode> records(String tenant, String runId) {
        catchUp();
        Run run = runs.get(key(tenant, runId));
        if (run == null) {
            return List.of();
        }
        return segments.read(run.entries.stream().sorted(Comparator.comparingLong(Entry::seq))
                .map(e -> new AuditSegments.Location(e.fileFirstSeq(), e.offset(),
                        e.seq()))
                .toList());
    }

    /** The runs of a tenant (of one agent when {@code agent} is given) last active at or after {@code since}. */
    public synchronized List<RunSummary> runs(String tenant, Optional<String> agent, Instant since, int limit) {
        catchUp();
        return runs.values().stream()
                .filter(r -> r.tenant.equals(tenant) && agent.map(r.agents::contains).orElse(true)
                        && !r.last.isBefore(since))
                .sorted(Comparator.comparing((Run r) -> r.last).reversed())
                .limit(limit)
                .map(Run::summary)
                .toList();
    }

    /** The tenants a run id was used in, for the offline tools, which do not know the tenant. */
    public synchronized List<String> tenantsOf(String runId) {
        catchUp();
        return runs.values().stream().filter(r -> r.runId.equals(runId)).map(r -> r.tenant).sorted().toList();
    }

    /** Reads what the log gained since the index last looked, adding it to the index and its file. */
    synchronized void catchUp() {
        try {
            if (out == null) {
                open();
            }
            try {
                scan();
            } catch (java.nio.file.NoSuchFileException rotated) {
                // a file was rotated (renamed) between listing and reading: list again
                scan();
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot index the audit log: " + e.getMessage(), e);
        }
    }

    /** Reads every file from where reading stopped: the rest of the current one, then each newer one whole. */
    private void scan() throws IOException {
        for (AuditSegments.Segment segment : segments.list()) {
            if (segment.firstSeq() < fileFirstSeq) {
                continue;
            }
            long from = segment.firstSeq() == fileFirstSeq ? position : 0;
            // entries name the file being read; a scan broken off is repeated from here, its records not added twice
            fileFirstSeq = segment.firstSeq();
            position = from;
            position = segments.scan(segment, from, this::add);
        }
    }

    private void add(long offset, ObjectNode record) {
        long seq = AuditFormat.seq(record);
        if (seq <= lastSeq) {
            return;
        }
        lastSeq = seq;
        Entry entry = new Entry(fileFirstSeq, offset, seq);
        String decisionId = record.path("decision_id").asText("");
        if ("approval".equals(record.path("type").asText())) {
            String key = decisionRuns.get(decisionId);
            key = key != null ? key : approvalRuns.get(record.path("approval_id").asText(""));
            if (key != null) {
                index(key, entry, record);
            } else if (!decisionId.isEmpty()) {
                // an approval is opened (and recorded) before the denial of the call that asked for it
                waiting.computeIfAbsent(decisionId, d -> new ArrayList<>()).add(new Waiting(entry, record));
            }
            return;
        }
        String runId = record.path("run_id").asText("");
        String tenant = record.path("principal").path("tenant").asText("");
        if (runId.isEmpty() || tenant.isEmpty()) {
            return;
        }
        String key = key(tenant, runId);
        index(key, entry, record);
        List<Waiting> approvals = waiting.remove(decisionId);
        if (approvals != null) {
            approvals.forEach(w -> index(key, w.entry(), w.record()));
        }
    }

    /** An approval record waiting for the call record that names its run. */
    private record Waiting(Entry entry, ObjectNode record) {
    }

    private void index(String key, Entry entry, ObjectNode record) {
        String[] parts = key.split("\n", 2);
        String agent = record.path("principal").path("agent").asText("");
        String approvalId = "approval".equals(record.path("type").asText()) ? record.path("approval_id").asText("")
                : "";
        put(parts[0], parts[1], agent, time(record), entry, record.path("decision_id").asText(""), approvalId);
        try {
            ObjectNode line = NODES.objectNode();
            line.put("f", entry.fileFirstSeq());
            line.put("o", entry.offset());
            line.put("s", entry.seq());
            line.put("t", parts[0]);
            line.put("r", parts[1]);
            line.put("a", agent);
            line.put("d", record.path("decision_id").asText(""));
            line.put("p", approvalId);
            line.put("time", record.path("time").asText());
            out.write(AuditFormat.MAPPER.writeValueAsString(line));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void put(String tenant, String runId, String agent, Instant at, Entry entry, String decisionId,
            String approvalId) {
        String key = key(tenant, runId);
        Run run = runs.computeIfAbsent(key, k -> new Run(tenant, runId));
        if (!agent.isEmpty() && !run.agents.contains(agent)) {
            run.agents.add(agent);
        }
        run.entries.add(entry);
        run.first = run.first == null || at.isBefore(run.first) ? at : run.first;
        run.last = run.last == null || at.isAfter(run.last) ? at : run.last;
        if (!decisionId.isEmpty()) {
            decisionRuns.put(decisionId, key);
        }
        if (!approvalId.isEmpty()) {
            approvalRuns.put(approvalId, key);
        }
    }

    /** Loads the index file when it matches the log, else starts it afresh; then appends to it. */
    private void open() throws IOException {
        if (Files.exists(indexFile) && !load()) {
            LOG.warnf("the run index %s does not match the audit log; making it again from the log", indexFile);
            runs.clear();
            decisionRuns.clear();
            approvalRuns.clear();
            waiting.clear();
            fileFirstSeq = -1;
            position = 0;
            lastSeq = 0;
            Files.delete(indexFile);
        }
        out = Files.newBufferedWriter(indexFile, StandardCharsets.UTF_8, CREATE, WRITE, APPEND);
    }

    /** Reads the index file; false when it is damaged or its last entry does not name a record of the log. */
    private boolean load() throws IOException {
        Entry last = null;
        long lastLineEnd = 0;
        List<String> lines = Files.readAllLines(indexFile, StandardCharsets.UTF_8);
        for (String text : lines) {
            lastLineEnd += text.getBytes(StandardCharsets.UTF_8).length + 1;
            JsonNode line;
            try {
                line = AuditFormat.MAPPER.readTree(text);
            } catch (IOException e) {
                return false;
            }
            if (line == null || !line.path("s").canConvertToLong() || !line.path("r").isTextual()) {
                return false;
            }
            last = new Entry(line.path("f").asLong(), line.path("o").asLong(), line.path("s").asLong());
            try {
                put(line.path("t").asText(), line.path("r").asText(), line.path("a").asText(),
                        Instant.parse(line.path("time").asText()), last, line.path("d").asText(),
                        line.path("p").asText(""));
            } catch (RuntimeException e) {
                return false;
            }
        }
        if (last == null) {
            return true;
        }
        Optional<Long> after = segments.lineEnd(new AuditSegments.Location(last.fileFirstSeq(), last.offset(),
                last.seq()));
        if (after.isEmpty()) {
            return false;
        }
        fileFirstSeq = last.fileFirstSeq();
        position = after.get();
        lastSeq = last.seq();
        return true;
    }

    /** A map that forgets its oldest entries past {@link #DECISIONS_REMEMBERED}. */
    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > DECISIONS_REMEMBERED;
            }
        };
    }

    private static Instant time(ObjectNode record) {
        try {
            return Instant.parse(record.path("time").asText());
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    private static String key(String tenant, String runId) {
        return tenant + "\n" + runId;
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.debugf("closing the run index: %s", e);
            }
            out = null;
        }
    }
}
