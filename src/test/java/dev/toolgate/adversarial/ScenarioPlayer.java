package dev.toolgate.adversarial;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.limits.LimitsStore;

/**
 * Plays scenarios against a running gateway: builds each step's request (identity, raw target, headers, body, MCP
 * session), sends it, and checks the answer, what reached the upstreams, the budgets and the audit log.
 * {@code ${name}} in a step is a value captured by an earlier step, or {@code ${unique}}, fresh for each scenario.
 */
final class ScenarioPlayer {

    static final String MCP_VERSION = "2025-06-18";
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([a-z_][a-z0-9_]*)}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PackWorld world;

    ScenarioPlayer(PackWorld world) {
        this.world = world;
    }

    void play(Scenario scenario) {
        Map<String, String> vars = new HashMap<>();
        java.util.Set<String> decisions = new java.util.HashSet<>();
        vars.put("unique", UUID.randomUUID().toString().substring(0, 8));
        for (int i = 0; i < scenario.steps().size(); i++) {
            String where = scenario.id() + " (" + scenario.file() + ") step " + (i + 1);
            Scenario.Step step = scenario.steps().get(i);
            if (step.openSession() != null) {
                openSession(step, vars, where);
            } else {
                step(scenario, step, vars, decisions, where);
            }
        }
        for (Scenario.Ledger ledger : scenario.budgets()) {
            Scenario.Ledger l = ledger(ledger, vars);
            LimitsStore.BudgetState state = world.budget(l);
            if (l.spentAfter() != null) {
                AnswerChecks.require(state.spentUsdMicros() == l.spentAfter(),
                        "budget " + l.budget() + " must have spent " + l.spentAfter() + ", has " + state, scenario.id());
            }
            if (l.reservedAfter() != null) {
                AnswerChecks.require(state.reservedUsdMicros() == l.reservedAfter(),
                        "budget " + l.budget() + " must hold " + l.reservedAfter() + " reserved, has " + state,
                        scenario.id());
            }
        }
    }

    private void step(Scenario scenario, Scenario.Step step, Map<String, String> vars, java.util.Set<String> decisions,
            String where) {
        String target = substitute(step.path(), vars);
        List<Map.Entry<String, String>> headers = headers(step, vars);
        byte[] body = step.rawBody() != null ? step.rawBody()
                : step.body() == null ? null : substitute(step.body(), vars).getBytes(StandardCharsets.UTF_8);
        String rpcMethod = rpcMethod(step.body());
        Scenario.Expect expect = substitute(step.expect(), vars);
        List<Scenario.Ledger> ledgers = new ArrayList<>(world.ledgers);
        scenario.budgets().forEach(l -> ledgers.add(ledger(l, vars)));
        Map<Scenario.Ledger, LimitsStore.BudgetState> before = new LinkedHashMap<>();
        ledgers.forEach(l -> before.put(l, world.budget(l)));
        long upstreamBefore = world.upstreamCount(step.method(), rpcMethod);
        long intentsBefore = world.audit.intents();

        if (step.concurrent() > 1) {
            concurrently(step, target, headers, body, expect, where);
            long delta = world.upstreamCount(step.method(), rpcMethod) - upstreamBefore;
            AnswerChecks.require(expect.upstream() == null || delta == expect.upstream(),
                    expect.upstream() + " request(s) must reach the upstream, " + delta + " did", where);
            return;
        }
        WireClient.Answer answer = step.grpc() != null
                ? GrpcWire.call(world.grpcPort.get(), step.grpc(), headers, text -> substitute(text, vars))
                : WireClient.send(world.port.get(), step.method(), target, headers, body, step.slow());
        if (expect.grpcStatus() != null) {
            AnswerChecks.require(expect.grpcStatus().equals(answer.header("grpc-status")),
                    "gRPC status " + expect.grpcStatus() + " expected", where + " answered " + answer.headers());
        }
        long upstreamDelta = world.upstreamCount(step.method(), rpcMethod) - upstreamBefore;
        JsonNode doc = AnswerChecks.document(answer);
        String decision = AnswerChecks.decisionId(answer, doc);
        AnswerChecks.check(where, answer, expect, world, upstreamDelta, decision != null && decisions.contains(decision));
        if (decision != null) {
            decisions.add(decision);
        }
        if (expect.refusal()) {
            String context = where + " answered " + answer.status();
            for (Scenario.Ledger ledger : ledgers) {
                LimitsStore.BudgetState after = world.budget(ledger);
                LimitsStore.BudgetState was = before.get(ledger);
                AnswerChecks.require(after.spentUsdMicros() == was.spentUsdMicros()
                        && after.reservedUsdMicros() == was.reservedUsdMicros(),
                        "a refusal spends nothing: budget " + ledger + " went from " + was + " to " + after, context);
            }
            if (expect.audit() == Scenario.Audit.UNRECORDED) {
                AnswerChecks.require(world.audit.intents() == intentsBefore, "no intent may be recorded for a refused request",
                        context);
            }
        }
        for (Map.Entry<String, String> capture : step.capture().entrySet()) {
            String from = capture.getValue();
            String value = from.startsWith("header:") ? answer.header(from.substring(7))
                    : doc.at(from).isValueNode() ? doc.at(from).asText() : null;
            AnswerChecks.require(value != null, "nothing to capture at " + from, where + ": " + answer.body());
            vars.put(capture.getKey(), value);
        }
    }

    private void concurrently(Scenario.Step step, String target, List<Map.Entry<String, String>> headers, byte[] body,
            Scenario.Expect expect, String where) {
        ExecutorService pool = Executors.newFixedThreadPool(step.concurrent());
        try {
            List<CompletableFuture<WireClient.Answer>> racing = new ArrayList<>();
            for (int i = 0; i < step.concurrent(); i++) {
                racing.add(CompletableFuture.supplyAsync(
                        () -> WireClient.send(world.port.get(), step.method(), target, headers, body, null), pool));
            }
            Map<String, Integer> counts = new LinkedHashMap<>();
            List<String> seen = new ArrayList<>();
            for (CompletableFuture<WireClient.Answer> future : racing) {
                WireClient.Answer answer = future.join();
                String reason = AnswerChecks.problemField(AnswerChecks.document(answer), "reason");
                String key = countKey(expect.counts().keySet(), answer.status(), reason);
                counts.merge(key, 1, Integer::sum);
                seen.add(answer.status() + " " + reason);
                AnswerChecks.require(!answer.body().contains("Exception"), "no stack trace", where);
            }
            AnswerChecks.require(counts.equals(expect.counts()),
                    "answers " + expect.counts() + " expected, got " + counts + " " + seen, where);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The key of {@code counts} an answer falls under: one of its alternatives ({@code |}-separated) is the status
     * and reason ({@code "403 budget_exceeded"}) or the bare status ({@code "201"}).
     */
    private static String countKey(java.util.Set<String> keys, int status, String reason) {
        for (String key : keys) {
            for (String alternative : key.split("\\|")) {
                if (alternative.strip().equals(status + " " + reason)) {
                    return key;
                }
            }
        }
        for (String key : keys) {
            for (String alternative : key.split("\\|")) {
                if (alternative.strip().equals(String.valueOf(status))) {
                    return key;
                }
            }
        }
        return status + " " + reason;
    }

    private void openSession(Scenario.Step step, Map<String, String> vars, String where) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(mcpHeaders());
        authorization(step, vars).ifPresent(a -> headers.add(Map.entry("Authorization", a)));
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + MCP_VERSION + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"adversarial\",\"version\":\"1\"}}}";
        String path = "/mcp/" + step.openSession();
        WireClient.Answer opened = WireClient.send(world.port.get(), "POST", path, headers, init.getBytes(), null);
        String session = opened.header("mcp-session-id");
        AnswerChecks.require(opened.status() == 200 && session != null, "a session must open", where + ": "
                + opened.status() + " " + opened.body());
        headers.add(Map.entry("Mcp-Session-Id", session));
        headers.add(Map.entry("MCP-Protocol-Version", MCP_VERSION));
        WireClient.Answer initialized = WireClient.send(world.port.get(), "POST", path, headers,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}".getBytes(), null);
        AnswerChecks.require(initialized.status() == 202, "notifications/initialized must be accepted",
                where + ": " + initialized.status() + " " + initialized.body());
        vars.put(step.capture().isEmpty() ? "session" : step.capture().keySet().iterator().next(), session);
    }

    private List<Map.Entry<String, String>> headers(Scenario.Step step, Map<String, String> vars) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        authorization(step, vars).ifPresent(a -> headers.add(Map.entry("Authorization", a)));
        if (step.mcp() != null) {
            for (Map.Entry<String, String> header : mcpHeaders()) {
                if (step.headers().stream().noneMatch(h -> h.getKey().equalsIgnoreCase(header.getKey()))) {
                    headers.add(header);
                }
            }
            String session = step.mcp().session() == null ? null : substitute(step.mcp().session(), vars);
            if (session != null) {
                headers.add(Map.entry("Mcp-Session-Id", session));
            }
            String version = step.mcp().protocolVersion() != null ? step.mcp().protocolVersion()
                    : session != null ? MCP_VERSION : "";
            if (!version.isEmpty()) {
                headers.add(Map.entry("MCP-Protocol-Version", version));
            }
        } else if (step.body() != null
                && step.headers().stream().noneMatch(h -> h.getKey().equalsIgnoreCase("content-type"))) {
            headers.add(Map.entry("Content-Type", "application/json"));
        }
        step.headers().forEach(h -> headers.add(Map.entry(h.getKey(), substitute(h.getValue(), vars))));
        return headers;
    }

    private static List<Map.Entry<String, String>> mcpHeaders() {
        return List.of(Map.entry("Accept", "application/json, text/event-stream"),
                Map.entry("Content-Type", "application/json"));
    }

    private java.util.Optional<String> authorization(Scenario.Step step, Map<String, String> vars) {
        return switch (step.identity()) {
            case Scenario.Anonymous a -> java.util.Optional.empty();
            case Scenario.RawAuthorization raw -> java.util.Optional.of(substitute(raw.value(), vars));
            case Scenario.Jwt jwt -> java.util.Optional
                    .of("Bearer " + JwtForge.token(jwt, world.jwtKey, text -> substitute(text, vars)));
        };
    }

    private static Scenario.Ledger ledger(Scenario.Ledger l, Map<String, String> vars) {
        return new Scenario.Ledger(l.budget(), l.tenant(), l.agent() == null ? null : substitute(l.agent(), vars),
                l.run() == null ? null : substitute(l.run(), vars), l.workflow(), l.spentAfter(), l.reservedAfter());
    }

    private static String rpcMethod(String body) {
        if (body == null) {
            return null;
        }
        try {
            JsonNode message = JSON.readTree(body);
            return message.path("method").isTextual() ? message.get("method").asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The expectation with captured values in its body and header texts. */
    private static Scenario.Expect substitute(Scenario.Expect e, Map<String, String> vars) {
        Map<String, String> headers = new LinkedHashMap<>();
        e.headers().forEach((name, value) -> headers.put(name, substitute(value, vars)));
        return new Scenario.Expect(e.status(), e.reason(), e.cause(), e.rpcError(), e.upstream(), e.upstreamSaw(),
                e.audit(), e.bodyHas().stream().map(t -> substitute(t, vars)).toList(),
                e.bodyLacks().stream().map(t -> substitute(t, vars)).toList(), headers, e.counts(), e.grpcStatus());
    }

    static String substitute(String text, Map<String, String> vars) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = vars.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("no value for ${" + m.group(1) + "} (captured: " + vars.keySet() + ")");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
