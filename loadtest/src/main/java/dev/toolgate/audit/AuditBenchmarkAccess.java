package dev.toolgate.audit;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

import dev.toolgate.audit.AuditRecords.Type;
import dev.toolgate.call.ToolCall;

/**
 * What the audit writer does to one record before any I/O, for the benchmarks in {@code dev.toolgate.loadtest}: it
 * lives in the audit package (in the loadtest project) because the record builders are package-private.
 */
public final class AuditBenchmarkAccess {

    private static final KeyedHash HASH = KeyedHash.random();

    private AuditBenchmarkAccess() {
    }

    /**
     * An intent record's line as {@link GroupCommit} makes it: the body, the record around it, the bytes and the hash
     * that the next record chains to. Returns the hash.
     */
    public static String intentLine(ToolCall call, String policyRevision, long seq, String prev) throws IOException {
        byte[] line = AuditFormat.MAPPER.writeValueAsBytes(AuditRecords.record(seq, Instant.now(),
                AuditRecords.body(Type.INTENT, call, policyRevision, null, Optional.empty(), HASH), prev));
        return AuditFormat.sha256(line, line.length);
    }
}
