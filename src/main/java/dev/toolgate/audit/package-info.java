/**
 * The audit log: every call's intent, outcome, denial or dry-run proposal, appended to a local file before the call
 * goes on.
 *
 * <h2>File format</h2>
 * UTF-8 JSON lines, one record per line, each ending in {@code \n}. A record's members, always in this order:
 * <ol>
 * <li>{@code seq}: 1, 2, 3, … without gaps; file order is seq order</li>
 * <li>{@code time}: when the writer took the record, RFC 3339 UTC with milliseconds</li>
 * <li>{@code type}: {@code intent} | {@code outcome} | {@code denied} | {@code dry_run}</li>
 * <li>{@code decision_id}, {@code protocol}, {@code principal} (object or null), {@code run_id}, {@code tool} (as the
 * caller addressed it), {@code action} (or null)</li>
 * <li>{@code args_sha256}: SHA-256 of the canonical (RFC 8785) arguments, or null when none were resolved</li>
 * <li>{@code args}: the arguments minus every path the policy's {@code redact} obligation names; null when there is no
 * policy decision yet, since then nothing is known to be safe to keep. Raw request bodies are never written.</li>
 * <li>{@code decision} ({@code allow} | {@code deny}), {@code approval} (tier or null), {@code reason} and
 * {@code detail} (of the denial, or null), {@code policy_revision}, {@code status} (outcomes only)</li>
 * <li>{@code latency_ms} (outcomes only: from receipt to the outcome) and {@code cost_usd_micros} (outcomes only: what
 * the call counts against its budgets, the cost the tool reported or else the estimate; 0 for a call never sent)</li>
 * <li>{@code trace_id}: the W3C trace id of the call (toolgate's span when tracing is on, else the agent's
 * {@code traceparent}), or null</li>
 * <li>{@code policy}: the policy's own decision ({@code allow}, {@code reasons}, {@code approval}, {@code redact}),
 * which a later stage may have overridden; and {@code input}: the input document it was made on, each value on a
 * {@code redact} path of {@code call.args} replaced by {@code "hmac-sha256:"} and the hex HMAC of its canonical JSON
 * under {@code toolgate.audit.redaction-key} ({@link dev.toolgate.audit.KeyedHash}). Both null on outcomes (the intent
 * has them) and when no policy decided. {@code toolgate replay} decides these inputs again.</li>
 * <li>{@code prev}: lowercase hex SHA-256 of the previous line's bytes without its newline; 64 zeros for the first
 * record</li>
 * </ol>
 * Records of other types have members of their own between {@code type} and {@code prev}: an {@code approval} event
 * (event, approval id, actor, payload hash, tier, state), a {@code checkpoint} (below), and a {@code shadow}
 * disagreement ({@code decision_id}, {@code protocol}, {@code principal}, {@code run_id}, {@code tool}, {@code action},
 * {@code policy_revision} and {@code policy} of the active bundle, {@code shadow_revision} and {@code shadow}
 * ({@code allow}, {@code reasons}, {@code approval}) of the shadow bundle, {@code trace_id}).
 *
 * <h2>Durability</h2>
 * A record is acknowledged (its {@code Uni} completes) only after it and the records before it are written and
 * fsynced. A crash can therefore leave at most a partial last line that nobody was told about; start-up cuts it off.
 * Any other damage stops start-up, and {@link dev.toolgate.audit.AuditVerifier} finds where it is.
 *
 * <h2>Checkpoint records</h2>
 * With a signing key ({@code toolgate.audit.checkpoint.key}) the writer adds records of {@code type}
 * {@code checkpoint} to the chain, members of their own in this order: {@code seq}, {@code time}, {@code type},
 * {@code head_seq} (the seq of the record before it), {@code head_hash} (the SHA-256 of that record's line, equal to
 * the checkpoint's own {@code prev}), {@code key_id} (from {@code toolgate.audit.checkpoint.key-id}),
 * {@code signature} (Ed25519, base64 with padding, over the bytes described in
 * {@link dev.toolgate.audit.CheckpointSignatures}: {@code toolgate-audit-checkpoint-v1\n<head_seq>\n<head_hash>\n}),
 * {@code prev}. A checkpoint follows every {@code every-records} records, comes at the latest {@code every} after the
 * first record it covers, closes every file before it is rotated, and is written when the log closes, and soon after a
 * start whose last record is not one. It signs the whole chain up to its head, since each line holds the hash of the
 * one before.
 *
 * <h2>Rotation</h2>
 * With {@code rotate-size} or {@code rotate-interval} the writer, between two group commits, renames the active file
 * to {@code <name>.<first seq>-<last seq><extension>}, both seqs zero-padded to 20 digits so that name order is seq
 * order ({@code audit.jsonl} → {@code audit.00000000000000000001-00000000000000004096.jsonl}), after a checkpoint (with
 * a key) and an fsync, opens a new file of the configured name and syncs the directory. The new file's first record
 * has the next seq and, as {@code prev}, the hash of the rotated file's last line: one chain across files. Start-up
 * continues from the active file, or, when it is empty or missing, from the newest rotated file's last line. A failed
 * rename leaves the log going on in the same file. {@link dev.toolgate.audit.AuditFiles} lists a log's files and reads
 * its records across them.
 *
 * <h2>Copies</h2>
 * {@code export.file} receives every line, byte for byte, once it is durable in the log; {@code checkpoint.file} every
 * checkpoint line. Each is written by a thread of its own, without fsync; a failure drops lines (counted in
 * {@code toolgate_audit_export_failures_total{sink}}) and never fails or delays a record. A copy may have gaps (lines
 * dropped, or durable in the log when toolgate crashed before the copy was written), never a line the log lacks.
 *
 * <h2>What the chain proves</h2>
 * Changing, inserting or deleting a line breaks the chain at the next line, unless every later line is rewritten too.
 * A checkpoint's signature shows that whoever held the key wrote the chain up to its head: rewriting what it covers
 * needs the key. Cutting lines off the end, checkpoints included, leaves a shorter valid chain: the files alone cannot
 * show it. Only a copy kept off the machine can ({@code audit verify --checkpoints}): the checkpoint file finds a log
 * that ends before the last checkpoint it holds, the export file a log that ends before the last line it holds.
 * Records after the last checkpoint that reached a copy are vouched for by nothing; neither is anything when the key
 * was taken from the machine, except what a copy shipped before holds.
 */
package dev.toolgate.audit;
