package dev.toolgate.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.toolgate.call.Denial;
import dev.toolgate.call.ToolCall;
import io.smallrye.mutiny.Uni;

/**
 * An audit log that keeps its records in memory. A kind of record told to fail is not kept, and its {@code Uni} fails
 * as a disk that is full would.
 */
final class RecordingAuditLog implements AuditLog {

    /**
     * One durable record.
     *
     * @param kind {@code intent}, {@code outcome}, {@code denied}, {@code proposed}, {@code replayed}, ...
     * @param detail the outcome's status, the denial's reason code, the replayed call's original decision id, or empty
     */
    record Entry(String kind, String callId, String policyRevision, String detail) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    /** From now on, records of this kind fail. */
    void failOn(String kind) {
        failing.add(kind);
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    synchronized List<Entry> entries(String kind) {
        return entries.stream().filter(e -> e.kind().equals(kind)).toList();
    }

    synchronized List<String> kindsOf(String callId) {
        return entries.stream().filter(e -> e.callId().equals(callId)).map(Entry::kind).toList();
    }

    @Override
    public Uni<Void> intent(ToolCall call, String policyRevision) {
        return record("intent", call, policyRevision, "");
    }

    @Override
    public Uni<Void> outcome(ToolCall call, String policyRevision, String status, Optional<Denial> failure) {
        return record("outcome", call, policyRevision, status);
    }

    @Override
    public Uni<Void> denied(ToolCall call, String policyRevision, Denial denial) {
        return record("denied", call, policyRevision, denial.reason().code());
    }

    @Override
    public Uni<Void> proposed(ToolCall call, String policyRevision, Optional<Denial> denial) {
        return record("proposed", call, policyRevision, denial.map(d -> d.reason().code()).orElse(""));
    }

    @Override
    public Uni<Void> approval(ApprovalEvent event) {
        throw new AssertionError("the pipeline writes no approval records");
    }

    @Override
    public Uni<Void> replayed(ToolCall call, String policyRevision, String originalDecisionId) {
        return record("replayed", call, policyRevision, originalDecisionId);
    }

    @Override
    public Uni<Void> failOpen(ToolCall call, String policyRevision, String stage, String detail) {
        throw new AssertionError("the pipeline writes no fail-open records");
    }

    private Uni<Void> record(String kind, ToolCall call, String policyRevision, String detail) {
        return Uni.createFrom().deferred(() -> {
            if (failing.contains(kind)) {
                return Uni.createFrom().failure(new java.io.IOException("audit disk full (" + kind + ")"));
            }
            synchronized (this) {
                entries.add(new Entry(kind, call.id(), policyRevision, detail));
            }
            return Uni.createFrom().voidItem();
        });
    }
}
