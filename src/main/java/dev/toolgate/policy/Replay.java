package dev.toolgate.policy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Decides recorded calls again under a candidate bundle: each audit record that kept the policy input and the policy's
 * decision ({@code input} and {@code policy} members) is evaluated afresh, and the two verdicts compared. A call is
 * replayed once (its first decided record: an intent, a denial, a dry-run proposal, a fail-open or a replayed
 * idempotent repeat); the fallback a {@code degrade} ran in its place is a call of its own.
 * <p>
 * What the candidate sees is what the recorded policy saw, except for redacted argument values, which the record
 * keeps as keyed hashes (see {@code policies/README.md}): a candidate that compares a redacted value with a literal, or
 * reads inside it, cannot decide as it would have on the live value.
 */
public final class Replay {

    private static final Duration EVALUATION_TIMEOUT = Duration.ofSeconds(30);

    private final OpaEngine candidate;
    private final Set<String> seen = new HashSet<>();

    /** @param candidate the engine evaluating the candidate bundle (the caller closes it) */
    public Replay(OpaEngine candidate) {
        this.candidate = candidate;
    }

    /**
     * One call, decided again.
     *
     * @param record the audit record it was decided in
     * @param before the verdict recorded
     * @param after the candidate's verdict
     */
    public record Replayed(ObjectNode record, PolicyVerdict before, PolicyVerdict after) {

        public boolean changed() {
            return before.disagrees(after);
        }
    }

    /**
     * Replays the call a record decided, unless the record kept no decision input or its call was replayed already.
     *
     * @throws IllegalArgumentException when the record's {@code policy} member is not a recorded decision
     */
    public Optional<Replayed> replay(ObjectNode record) {
        JsonNode input = record.get("input");
        JsonNode policy = record.get("policy");
        if (!(input instanceof ObjectNode document) || policy == null || !policy.isObject()) {
            return Optional.empty();
        }
        if (!seen.add(callKey(record))) {
            return Optional.empty();
        }
        PolicyVerdict before = PolicyVerdict.recorded(policy);
        PolicyVerdict after;
        try {
            JsonNode result = candidate.evaluate(document).await().atMost(EVALUATION_TIMEOUT);
            after = PolicyVerdict.of(DecisionReader.read(result, candidate.revision()));
        } catch (RuntimeException fault) {
            // as the policy stage does: a candidate that cannot be evaluated denies
            after = new PolicyVerdict(false, "none", java.util.List.of("the policy could not be evaluated: "
                    + fault.getClass().getSimpleName()));
        }
        return Optional.of(new Replayed(record, before, after));
    }

    /** A call's decision id with the action it resolved to: a degrade's fallback shares the id of the call it replaced. */
    private static String callKey(ObjectNode record) {
        return record.path("decision_id").asText() + '\n' + record.path("tool").asText() + '\n'
                + record.path("action").asText();
    }
}
