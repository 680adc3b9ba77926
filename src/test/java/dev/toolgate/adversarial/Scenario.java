package dev.toolgate.adversarial;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One scenario of the adversarial pack, read from {@code src/test/resources/adversarial/<category>/*.yaml}: what an
 * attacker tries (its description), the world it runs in, its requests in order and what each must be answered. The
 * format is described in {@code docs/adversarial.md}.
 */
record Scenario(String id, String category, PackWorld.Name world, String description, String file, List<Step> steps,
        List<Ledger> budgets) {

    Scenario {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(world, "world");
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException(id + ": a scenario says what the attacker tries (description)");
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException(id + ": a scenario has at least one step");
        }
        steps = List.copyOf(steps);
        budgets = List.copyOf(budgets);
    }

    /** Who the request claims to be. */
    sealed interface Identity {
    }

    /** No Authorization header at all. */
    record Anonymous() implements Identity {
    }

    /** An Authorization header sent as written (after variable substitution). */
    record RawAuthorization(String value) implements Identity {
        RawAuthorization {
            Objects.requireNonNull(value);
        }
    }

    /**
     * A JWT the runner builds: the template's claims (issuer, audience, {@code sub} jwt-bot, tenant acme, iat now,
     * exp in 5 minutes) with {@code claims} laid over them (a null value removes a claim), signed as {@code signing}
     * says, with key id {@code kid}.
     */
    record Jwt(Map<String, JsonNode> claims, Signing signing, String kid) implements Identity {
        Jwt {
            claims = Map.copyOf(claims);
            Objects.requireNonNull(signing);
            Objects.requireNonNull(kid);
        }
    }

    /** How a scenario's JWT is signed. */
    enum Signing {
        /** RS256 with the gateway's trusted test key. */
        TEST_KEY,
        /** RS256 with a fresh key nobody trusts. */
        OTHER_KEY,
        /** HS256 keyed with the trusted RSA public key's encoded bytes (the algorithm confusion attack). */
        HS256_PUBLIC_KEY,
        /** {@code alg: none}, no signature. */
        NONE,
        /** RS256 with the trusted key, then one character of the signature changed. */
        TAMPERED
    }

    /** An MCP message sent to {@code /mcp/{server}}. */
    record Mcp(String server, String session, String protocolVersion) {
        Mcp {
            Objects.requireNonNull(server);
        }
    }

    /**
     * A gRPC call on toolgate's gRPC port: {@code method} is the full method name, sent as written; the message is
     * {@code messageJson} (the request type's JSON, encoded with the type's descriptor when the pack knows it) or
     * {@code messageBytes} as they are; {@code metadata} is sent in order (a name may repeat; a {@code -bin} value is
     * base64).
     */
    record Grpc(String method, String messageJson, byte[] messageBytes, List<Map.Entry<String, String>> metadata) {
        Grpc {
            Objects.requireNonNull(method, "grpc.method");
            metadata = List.copyOf(metadata);
        }
    }

    /**
     * A body sent slowly: {@code chunkBytes} at a time with {@code pauseMillis} between, or cut off after {@code cutAfter}
     * bytes.
     */
    record Slow(int chunkBytes, int pauseMillis, int cutAfter) {
        Slow {
            if (chunkBytes < 1 || pauseMillis < 0 || pauseMillis > 500) {
                throw new IllegalArgumentException("slow: chunk_bytes >= 1, pause_ms 0..500");
            }
        }
    }

    /**
     * One request (or, with {@code concurrent} > 1, that many copies sent at once). {@code openSession} names an MCP
     * server for which the runner opens a session (initialize, then notifications/initialized) as the identity and
     * captures its id. {@code body} is text (UTF-8, variables substituted); {@code rawBody} bytes sent as they are.
     */
    record Step(Identity identity, String method, String path, List<Map.Entry<String, String>> headers, String body,
            byte[] rawBody, Mcp mcp, Slow slow, int concurrent, Map<String, String> capture, String openSession,
            Expect expect, Grpc grpc) {
        Step {
            Objects.requireNonNull(identity);
            headers = List.copyOf(headers);
            capture = Map.copyOf(capture);
            if (concurrent < 1 || concurrent > 16) {
                throw new IllegalArgumentException("concurrent: 1..16");
            }
            if (openSession == null) {
                Objects.requireNonNull(method, "method");
                Objects.requireNonNull(path, "path");
                Objects.requireNonNull(expect, "expect");
            }
        }
    }

    /** How the runner checks the audit log for a step's answer. */
    enum Audit {
        /** One {@code denied} record of the answer's decision, with the expected reason, and no intent or outcome. */
        DENIED,
        /** The decision has an {@code intent} and an {@code outcome} record: the call was forwarded. */
        FORWARDED,
        /** A {@code replayed} record: answered from an idempotency record, not forwarded. */
        REPLAYED,
        /** The decision has a {@code dry_run} record. */
        DRY_RUN,
        /**
         * The answer comes before toolgate makes a decision (a transport fault, or a management API): nothing of it
         * may be in the audit log as forwarded; every such scenario is listed in {@code docs/adversarial.md}.
         */
        UNRECORDED,
        /** No audit check: a set-up step (an approval decided, a session opened). */
        SKIP
    }

    /** What a step's answer must be. */
    record Expect(int status, String reason, String cause, Integer rpcError, Integer upstream, UpstreamSaw upstreamSaw,
            Audit audit, List<String> bodyHas, List<String> bodyLacks, Map<String, String> headers,
            Map<String, Integer> counts, String grpcStatus) {
        Expect {
            bodyHas = List.copyOf(bodyHas);
            bodyLacks = List.copyOf(bodyLacks);
            headers = Map.copyOf(headers);
            counts = Map.copyOf(counts);
        }

        /** A refusal: the call must not reach a tool, nor spend, and its refusal is audited. */
        boolean refusal() {
            return reason != null || rpcError != null || status >= 400 || status == 0
                    || grpcStatus != null && !grpcStatus.equals("OK");
        }
    }

    /** What the upstream tool must (or must not) have seen of a forwarded call. */
    record UpstreamSaw(String path, String query, Map<String, String> headers, List<String> withoutHeaders,
            List<String> withoutHeaderPrefixes, String bodyHas) {
        UpstreamSaw {
            headers = Map.copyOf(headers);
            withoutHeaders = List.copyOf(withoutHeaders);
            withoutHeaderPrefixes = List.copyOf(withoutHeaderPrefixes);
        }
    }

    /**
     * A budget ledger the runner reads before and after each refused step (spent and reserved must not move), and,
     * when {@code spentAfter} is set, at the end of the scenario.
     */
    record Ledger(String budget, String tenant, String agent, String run, String workflow, Long spentAfter,
            Long reservedAfter) {
        Ledger {
            Objects.requireNonNull(budget, "budget");
            Objects.requireNonNull(tenant, "tenant");
        }
    }
}
