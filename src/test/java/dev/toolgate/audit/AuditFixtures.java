package dev.toolgate.audit;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.ApprovalTier;
import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Decision;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.PathTemplate;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.Risk;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import io.smallrye.mutiny.Uni;

/** Calls, logs and readers the audit tests share. */
final class AuditFixtures {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant NOW = Instant.parse("2026-05-02T18:30:12.345Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String CREDENTIAL = "Bearer tg_live_credential_never_logged";
    static final ActionSpec REFUND = new ActionSpec("refunds.create", "POST", PathTemplate.parse("/refunds"),
            args -> List.of());
    static final ToolSpec PAYMENTS = new ToolSpec("payments", URI.create("http://127.0.0.1:9"), Risk.HIGH, false,
            List.of("pci"), Duration.ofSeconds(1), Duration.ofSeconds(5), List.of(REFUND));
    static final Principal PRINCIPAL = new Principal("support-bot", "acme", "billing-dispute",
            List.of("support", "agent"), AuthMethod.JWT);

    private AuditFixtures() {
    }

    /** A call as ingress hands it over: nothing resolved; its raw body is {@code body}. */
    static ToolCall received(String id, String body) {
        return ToolCall.received(id, Protocol.HTTP, "payments",
                new Invocation("POST", "/refunds", Map.of(), body.getBytes(StandardCharsets.UTF_8)),
                new Secret(CREDENTIAL), "run-42", Mode.ENFORCE, NOW);
    }

    static ToolCall identified(String id, String body) {
        return received(id, body).withPrincipal(PRINCIPAL);
    }

    /** Identified and resolved, but not yet decided by the policy. */
    static ToolCall resolved(String id, ObjectNode args) {
        return identified(id, args.toString())
                .withAction(ResolvedAction.of(PAYMENTS, REFUND, args, PRINCIPAL.tenant()));
    }

    /** Resolved and allowed by the policy, which asks for {@code redact} to be kept out of records. */
    static ToolCall allowed(String id, ObjectNode args, ApprovalTier approval, List<String> redact) {
        return resolved(id, args).withDecision(new Decision(true, List.of("refund within limits"), approval, redact,
                "bundle-7"));
    }

    static ToolCall allowed(String id) {
        return allowed(id, args("{\"amount\": 1200, \"currency\": \"EUR\"}"), ApprovalTier.NONE, List.of());
    }

    static ObjectNode args(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    static void await(Uni<Void> uni) {
        uni.await().atMost(Duration.ofSeconds(10));
    }

    static Throwable failureOf(Uni<Void> uni) {
        return uni.onItem().transform(ignored -> (Throwable) null)
                .onFailure().recoverWithItem(failure -> failure)
                .await().atMost(Duration.ofSeconds(10));
    }

    /** Writes {@code count} intent records with ids {@code call-1}, {@code call-2}, … and closes the log. */
    static void writeIntents(Path file, int count) {
        try (FileAuditLog log = new FileAuditLog(file, 8, CLOCK)) {
            List<Uni<Void>> writes = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                writes.add(log.intent(allowed("call-" + i), "bundle-7"));
            }
            writes.forEach(AuditFixtures::await);
        }
    }

    static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    static List<ObjectNode> records(Path file) throws IOException {
        List<ObjectNode> records = new ArrayList<>();
        for (String line : lines(file)) {
            records.add((ObjectNode) JSON.readTree(line));
        }
        return records;
    }

    static void writeLines(Path file, List<String> lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    static String sha256(String line) {
        return CanonicalJson.sha256Hex(line.getBytes(StandardCharsets.UTF_8));
    }
}
