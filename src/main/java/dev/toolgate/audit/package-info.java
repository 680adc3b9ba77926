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
 *
 * <h2>Durability</h2>
 * A record is acknowledged (its {@code Uni} completes) only after it and the records before it are written and
 * fsynced. A crash can therefore leave at most a partial last line that nobody was told about; start-up cuts it off.
 * Any other damage stops start-up, and {@link dev.toolgate.audit.AuditVerifier} finds where it is.
 *
 * <h2>What the chain proves</h2>
 * Changing, inserting or deleting a line breaks the chain at the next line, unless every later line is rewritten too;
 * cutting lines off the end is not visible in the file alone. Ship the log (or its latest hash) off the machine to
 * detect those.
 */
package dev.toolgate.audit;
