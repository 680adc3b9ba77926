package dev.toolgate.audit;

import java.security.PublicKey;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The verifier's view of checkpoint records: each must sign the record before it, as read; with keys, its signature
 * must verify with one of them. Counts the records after the last checkpoint, which no signature covers.
 */
final class CheckpointCheck {

    private final List<PublicKey> keys;
    private long checkpoints;
    private long lastSeq;
    private long uncovered;

    CheckpointCheck(List<PublicKey> keys) {
        this.keys = keys;
    }

    /**
     * Looks at a record that continues the chain.
     *
     * @param prev the record's {@code prev}: the hash of the line before it
     * @return what is wrong with it, or null
     */
    String check(ObjectNode record, long seq, String prev) {
        if (!AuditRecords.Type.CHECKPOINT.code.equals(record.path("type").asText(null))) {
            uncovered++;
            return null;
        }
        JsonNode headSeq = record.get("head_seq");
        JsonNode headHash = record.get("head_hash");
        if (headSeq == null || !headSeq.canConvertToLong() || headSeq.longValue() != seq - 1 || headHash == null
                || !prev.equals(headHash.asText())) {
            return "the checkpoint does not sign the record before it (head_seq " + headSeq + ", head_hash "
                    + headHash + ")";
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(record.path("signature").asText(""));
        } catch (IllegalArgumentException e) {
            return "the checkpoint's signature is not base64";
        }
        if (!keys.isEmpty() && keys.stream().noneMatch(key -> CheckpointSignatures.verify(key, seq - 1, prev,
                signature))) {
            return "the checkpoint's signature (key_id " + record.path("key_id") + ") does not verify with "
                    + (keys.size() == 1 ? "the key given" : "any key given");
        }
        checkpoints++;
        lastSeq = seq;
        uncovered = 0;
        return null;
    }

    /** How many checkpoints held. */
    long checkpoints() {
        return checkpoints;
    }

    /** The seq of the last checkpoint that held, or 0. */
    long lastSeq() {
        return lastSeq;
    }

    /** How many records follow the last checkpoint (all of them when there is none). */
    long uncovered() {
        return uncovered;
    }
}
