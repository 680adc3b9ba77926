package dev.toolgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * toolgate's server settings ({@code toolgate.*}). The agent contract itself is a separate YAML document, named by
 * {@link #contract()}.
 */
@ConfigMapping(prefix = "toolgate")
public interface ToolgateConfig {

    /** The agent contract file (YAML). Validated at start; a bad contract stops startup. */
    Path contract();

    /**
     * How often the contract file and the policy bundle file are looked at for a new version (a bundle from a file
     * path only, not {@code classpath:}). A changed file is validated in full (a contract by every rule the start
     * applies; a bundle read, its signature checked when a verification key is set, instantiated and asked one smoke
     * decision) and swapped in between calls: a call in flight finishes under the versions it started with, and every
     * answer's {@code Toolgate-Policy-Revision} names the bundle that decided it. A bad one is refused with a log
     * line, {@code toolgate_reloads_total{what,outcome="refused"}} and an audit record, and the last good one stays.
     * Unset: loaded once, at start.
     */
    Optional<Duration> reloadInterval();

    /** Policy bundle settings. */
    Policy policy();

    /** Audit log settings. */
    Audit audit();

    /** Identity settings. */
    Identity identity();

    /** HTTP ingress settings. */
    Http http();

    /** MCP ingress settings ({@code /mcp/{server}}). */
    Mcp mcp();

    /** Envoy/Istio external authorization ({@code envoy.service.auth.v3.Authorization} on the gRPC port). */
    Envoy envoy();

    /**
     * The Redis server that holds the shared state of every instance (rate limits, budgets and reservations, approval
     * requests, idempotency records), e.g. {@code redis://127.0.0.1:6379}. When empty, toolgate uses its embedded
     * stores: the same semantics, on this instance only.
     */
    Optional<String> redis();

    /**
     * How long a call waits for Redis before it fails and the stage's failure mode applies (for limits, each tool's
     * {@code failure_modes}).
     */
    @WithDefault("250MS")
    Duration redisTimeout();

    /** Rate limits and spend caps. */
    Limits limits();

    /** Idempotency records. */
    Idempotency idempotency();

    /** Approval requests. */
    Approvals approvals();

    /** How toolgate treats the upstream tools it forwards to. */
    Upstream upstream();

    interface Upstream {

        /** The circuit breaker each upstream tool has of its own. */
        CircuitBreaker circuitBreaker();
    }

    /**
     * A circuit breaker per upstream tool: once enough of a tool's recent exchanges failed (no connection, a reset, no
     * complete answer within the tool's {@code timeouts.request}, an HTTP 5xx answer; never the agent's 4xx), calls of
     * that tool are refused with {@code upstream_unavailable} before anything is sent, until a trial call after
     * {@link #delay()} succeeds.
     */
    interface CircuitBreaker {

        /** Whether tools get a circuit breaker at all; without one every call is sent, however its tool fares. */
        @WithDefault("true")
        boolean enabled();

        /**
         * How many of a tool's most recent exchanges are looked at (the rolling window); the breaker cannot open before
         * the tool had this many.
         */
        @WithDefault("20")
        int requestVolume();

        /** The share of failed exchanges in the window (above 0, at most 1) that opens the breaker. */
        @WithDefault("0.5")
        double failureRatio();

        /** How long an open breaker refuses calls before it lets trial calls through. */
        @WithDefault("30S")
        Duration delay();

        /** How many trial calls must succeed in a row to close the breaker again; one failure opens it again. */
        @WithDefault("1")
        int successThreshold();
    }

    interface Approvals {

        /** How long an approval request stays open (and an approval stays redeemable). */
        @WithDefault("1H")
        Duration ttl();

        /** Called (POST, JSON) when a request opens, with its preview and a link; retried with back-off. */
        Optional<java.net.URI> webhook();

        /** The base URL approvers reach toolgate at, for the link in the webhook, e.g. {@code https://toolgate.example}. */
        @WithDefault("http://localhost:8080")
        String publicUrl();

        /** How many times the webhook is tried before it is given up (and logged). */
        @WithDefault("5")
        int webhookAttempts();

        /** How often requests past their expiry are marked expired (and audited). */
        @WithDefault("10S")
        Duration sweepInterval();

        /**
         * How many requests one agent may have waiting (pending, unexpired) at once; beyond it a call that needs a new
         * one is 429 {@code rate_limited}. Repeating a call that is already waiting does not count: it gets the same
         * request.
         */
        @WithDefault("20")
        int maxPending();
    }

    interface Idempotency {

        /** How long a completed call's reply is kept for repeats of its key. */
        @WithDefault("24H")
        Duration ttl();

        /** How long a first call may stay in flight before its key is freed (a crashed call). */
        @WithDefault("2M")
        Duration inFlightLease();

        /** The largest reply body kept for replay; a larger reply is answered but a repeat gets a conflict. */
        @WithDefault("1048576")
        int maxReplyBytes();
    }

    interface Limits {

        /** How long a reservation lives without being settled before it is released (a crashed call). */
        @WithDefault("5M")
        Duration lease();

        /**
         * How many checks ({@code /v1/check}, gRPC {@code Check}) one agent may have waiting for their report at once;
         * a check past it is refused as {@code rate_limited}. Each waiting check is held in memory until it is reported
         * or its lease runs out, so this bounds what an agent that never reports can make the gateway hold.
         */
        @WithDefault("10000")
        int maxPendingChecks();

        /** How long a run's budget ledger is kept after its last call. */
        @WithDefault("7D")
        Duration runTtl();

        /** How often expired reservations are released. */
        @WithDefault("10S")
        Duration sweepInterval();

        /**
         * How often every runtime kill switch is read again in full from the store. Changes arrive sooner, by Redis
         * Pub/Sub; the full read catches what a lost subscription missed.
         */
        @WithDefault("5S")
        Duration killSwitchRefresh();
    }

    interface Policy {

        /**
         * The policy bundle ({@code opa build -t wasm} output, a {@code .tar.gz}): a file path, an {@code http(s)://}
         * URL (fetched at start; polled with {@code If-None-Match} when reloading), or
         * {@code classpath:policy/bundle.tar.gz} for the bundle built from {@code policies/}.
         */
        @WithDefault("classpath:policy/bundle.tar.gz")
        String bundle();

        /**
         * How many policy instances (and worker threads) evaluate in parallel; one instance is single-threaded. 0 means
         * one per available processor.
         */
        @WithDefault("0")
        int instances();

        /**
         * Evaluate with Chicory's interpreter instead of compiling Wasm to JVM bytecode. A native executable always
         * interprets, whatever this says.
         */
        @WithDefault("false")
        boolean interpreter();

        /**
         * Evaluate on the event loop that asks when an instance is idle, instead of handing every evaluation to a
         * worker thread and back. Only with compiled Wasm (tens of microseconds); the interpreter always uses the
         * workers. {@code false} suits a policy too slow to run on an event loop.
         */
        @WithDefault("true")
        boolean onEventLoop();

        /**
         * A candidate bundle evaluated beside the active one on live traffic and never enforced (a file path or a
         * {@code classpath:} resource): after each call's policy decision, off the call's path, on workers of its
         * own. A disagreement (allowed or not, or the approval tier) is counted
         * ({@code toolgate_policy_shadow_decisions_total{outcome}}) and written to the audit log with both decisions.
         * A bundle that cannot be loaded stops startup.
         */
        Optional<String> shadow();

        /**
         * The public key (PEM, RSA or EC) that signed the policy bundles: with it, toolgate loads only a bundle whose
         * {@code .signatures.json} (as {@code opa build --signing-key} writes it) verifies and lists exactly the files
         * of the bundle with their hashes; the active and the shadow bundle alike. Unset: bundles are not checked.
         */
        Optional<java.nio.file.Path> verificationKey();

        /** The key id the bundle's signature must name ({@code opa build --signing-key ... --signing-alg}: "default"). */
        @WithDefault("default")
        String verificationKeyId();

        /** Shadow evaluations waiting or running at once; a call past it is not shadowed (counted as skipped). */
        @WithDefault("256")
        int shadowQueue();
    }

    interface Audit {

        /** The audit log file (JSON lines, hash-chained). Created when missing; appended to otherwise. */
        @WithDefault("toolgate-audit.jsonl")
        Path path();

        /** Most records written and fsynced together in one group commit. */
        @WithDefault("256")
        int maxBatch();

        /**
         * How long the outcome record of a forwarded call may stay written but not yet fsynced. Its call's intent
         * record is durable before the call is forwarded; the outcome is written before the agent is answered and made
         * durable by the next group commit that needs an fsync, or after this long at the latest, so that answering
         * does not wait for a second fsync. 0 syncs every outcome before the answer. Every other record is always
         * durable before its answer.
         */
        @WithDefault("50ms")
        Duration outcomeSyncDelay();

        /**
         * The secret key (at least 32 bytes) of the keyed hash (HMAC-SHA256) that replaces each redacted value in the
         * policy input a record keeps: equal values hash alike, so a replay decides as the policy did, and nobody
         * without the key can test a guess against the log. Unset: a random key per process (equal values then hash
         * alike within one process only). A secret: set it from the environment, never in a file in the image.
         */
        Optional<String> redactionKey();

        /**
         * Rotate the log once its file reaches this size (e.g. {@code 100M}): the file is renamed to
         * {@code <name>.<first seq>-<last seq>.<extension>} and a new file of the configured name continues the chain.
         * Checked between group commits, so a file ends at most one batch past it. No rotation by size when unset.
         */
        Optional<MemorySize> rotateSize();

        /**
         * Rotate the log once its file's first record is this old (e.g. {@code 24H}), at the next group commit; an idle
         * log is not rotated into empty files. No rotation by time when unset.
         */
        Optional<Duration> rotateInterval();

        /** Signed checkpoints in the chain, so that a log cut short can be told from a whole one. */
        Checkpoint checkpoint();

        /** A copy of every record, for a log shipper. */
        Export export();
    }

    /**
     * Checkpoint records: an Ed25519 signature over the head of the chain, written every {@link #everyRecords()}
     * records or {@link #every()} after the first record it does not cover, and when the log closes. Off without a key.
     */
    interface Checkpoint {

        /**
         * The Ed25519 private key, unencrypted PKCS#8 PEM, as {@code openssl genpkey -algorithm ed25519} writes it.
         * Readable by toolgate only. A key that cannot be read stops startup.
         */
        Optional<Path> key();

        /** The key's name, written into every checkpoint so that a verifier knows which public key to use. */
        Optional<String> keyId();

        /** Records written after which a checkpoint follows. */
        @WithDefault("1000")
        int everyRecords();

        /** How long the first record after a checkpoint waits, at most, for the next one. */
        @WithDefault("1m")
        Duration every();

        /**
         * A file each checkpoint line is also appended to (no fsync, by a thread of its own), to be kept on another
         * machine: {@code audit verify --checkpoints} finds with it a log cut off before its last checkpoint.
         */
        Optional<Path> file();
    }

    interface Export {

        /**
         * A file every record's line is appended to once it is durable in the log, byte for byte, by a thread of its
         * own and without fsync, for a log shipper to send on. A failing file never fails or delays a call: it is
         * logged once and counted ({@code toolgate_audit_export_failures_total}).
         */
        Optional<Path> file();
    }

    interface Identity {

        /** JWT bearer tokens. When no JWKS is configured, only API keys are accepted. */
        Jwt jwt();
    }

    interface Jwt {

        /** Where the verification keys come from: a JWKS file path, or an {@code http(s)://} URL. */
        Optional<String> jwks();

        /** The required {@code iss} claim. */
        Optional<String> issuer();

        /** The required {@code aud} claim. */
        Optional<String> audience();

        /** How long keys fetched from a JWKS URL are cached. */
        @WithDefault("10M")
        Duration jwksRefresh();

        /** Clock skew tolerated on {@code exp} and {@code nbf}. */
        @WithDefault("30S")
        Duration clockSkew();

        /** The claim naming the agent (an agent id of the contract). */
        @WithDefault("sub")
        String agentClaim();

        /** The claim naming the tenant; when present it must equal the agent's tenant. */
        @WithDefault("tenant")
        String tenantClaim();

        /** The claim naming the workflow; when present it overrides the agent's. */
        @WithDefault("workflow")
        String workflowClaim();

        /** The claim listing roles, added to the agent's. */
        @WithDefault("roles")
        String rolesClaim();

        /**
         * The claim that pins a token to one run (a non-empty string), so that an orchestrator can hand an agent a
         * token for its run alone: its calls belong to that run, and a {@code Toolgate-Run-Id} that names another is
         * refused ({@code unauthenticated}). A token without it is free to name its runs.
         */
        @WithDefault("run_id")
        String runClaim();
    }

    interface Http {

        /** The largest request body accepted; larger ones get 413 {@code payload_too_large}. */
        @WithDefault("1048576")
        int maxBodyBytes();

        /**
         * The largest answer accepted from a tool; a larger one is cut off and the call ends as
         * {@code upstream_unavailable} (502), so that a tool cannot exhaust the gateway's memory.
         */
        @WithDefault("16777216")
        int maxUpstreamBodyBytes();

        /**
         * Whether toolgate tells a tool the address of the agent's connection: {@code none} (the default),
         * {@code forwarded} (RFC 7239 {@code Forwarded: for=...}) or {@code x-forwarded-for}. Set by toolgate alone:
         * the agent's own {@code Forwarded} and {@code X-Forwarded-*} headers never reach a tool.
         */
        @WithDefault("none")
        Forwarded forwarded();

        /** What toolgate tells a tool of who called. */
        enum Forwarded {
            NONE,
            FORWARDED,
            X_FORWARDED_FOR
        }
    }

    interface Envoy {

        /** How an external authorization check names the contract's tool. */
        enum ToolFrom {
            /** The first path segment after {@code /tools/}, as on toolgate's own HTTP ingress; the rest is the path. */
            PATH,
            /** The first label of the request's host ({@code payments.tools.internal} is {@code payments}). */
            HOST
        }

        /**
         * Where the tool's name comes from when the Envoy route does not name it in the context extension
         * {@code toolgate_tool}: {@code path} or {@code host}.
         */
        @WithDefault("path")
        ToolFrom toolFrom();

        /**
         * Whether the SPIFFE ID Envoy sends as the peer's {@code source.principal} (from the client certificate it
         * verified) identifies a request without an {@code Authorization} header. Only when nothing but Envoy can
         * reach the gRPC port: anyone who can call the external authorization service can write that field.
         */
        @WithDefault("false")
        boolean trustPeerPrincipal();
    }

    interface Mcp {

        /**
         * How long an MCP session stays bound to the principal that opened it after its last use; a session id
         * presented later is unknown (404), and the client starts a new session.
         */
        @WithDefault("24H")
        Duration sessionIdleTtl();

        /**
         * Origins (e.g. {@code https://console.example.com}) whose browser pages may call the MCP endpoint. A request
         * with any other {@code Origin} header is refused (403), against DNS rebinding; requests without one
         * (agents, SDK clients) are not affected.
         */
        Optional<java.util.List<String>> allowedOrigins();

        /**
         * How long the upstream tools' input schemas, learned from their {@code tools/list} answers, are trusted
         * before a {@code tools/call} asks the upstream again.
         */
        @WithDefault("5M")
        Duration schemaTtl();
    }
}
