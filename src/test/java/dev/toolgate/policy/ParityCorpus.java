package dev.toolgate.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Mode;
import dev.toolgate.call.Risk;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;

/**
 * The inputs of the parity test: most generated around the bundled policy's edges (limits, tenants, the change window,
 * redaction, unknown tools, incomplete inputs), plus the hand-written documents of {@code policy-corpus/}.
 */
final class ParityCorpus {

    /** One input and where it came from. */
    record Case(String name, JsonNode input) {
    }

    private static final List<String> WEEKDAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
    private static final ToolSpec CRM = Calls.tool("crm", Risk.MEDIUM, true, List.of("pii"), "contacts.search",
            "/contacts");
    private static final ToolSpec REFUND_LIST = Calls.tool("payments", Risk.HIGH, true, List.of("pci"),
            "refunds.list", "/refunds");

    private final List<Case> cases = new ArrayList<>();

    private ParityCorpus() {
    }

    static List<Case> all() {
        ParityCorpus corpus = new ParityCorpus();
        corpus.refundLimits();
        corpus.oddAmounts();
        corpus.crossTenantRefunds();
        corpus.deployments();
        corpus.redactions();
        corpus.otherTools();
        corpus.incompleteInputs();
        corpus.handWritten();
        return List.copyOf(corpus.cases);
    }

    private void refundLimits() {
        String[][] principals = { { "support-bot", "acme" }, { "billing-bot", "globex" }, { "ops-bot", "initech" } };
        long[] amounts = { 0, 1, 49_999_999, 50_000_000, 50_000_001, 999_999_999, 1_000_000_000, 1_000_000_001,
                9_000_000_000_000L };
        for (String[] p : principals) {
            for (long amount : amounts) {
                ObjectNode args = Calls.json("{\"charge\": \"ch_1\"}").put("tenant", p[1]).put("amount_usd_micros",
                        amount);
                add("refund " + p[0] + "/" + p[1] + " " + amount, Calls.refund(p[0], p[1], args));
            }
        }
    }

    private void oddAmounts() {
        String[] amounts = { "-1", "-50000001", "\"1000\"", "50000000.5", "50000000.0", "1000000000.000001", "null",
                "true", "[]", "{}" };
        for (String amount : amounts) {
            add("refund amount " + amount, Calls.refund("support-bot", "acme",
                    Calls.json("{\"charge\": \"ch_1\", \"tenant\": \"acme\", \"amount_usd_micros\": " + amount + "}")));
        }
        add("refund without amount",
                Calls.refund("support-bot", "acme", Calls.json("{\"charge\": \"ch_1\", \"tenant\": \"acme\"}")));
    }

    private void crossTenantRefunds() {
        // strings that need escaping, and non-strings: the reason text must come out the same from Wasm and opa eval
        for (String tenant : List.of("\"globex\"", "\"ACME\"", "\"\"", "\"acmé\"", "\"<b>&amp;\"", "null",
                "\"a\\\"b\"", "\"tab\\there\"", "\"back\\\\slash\"", "\"line\\u2028sep \\ud83d\\ude00\"", "42")) {
            cases.add(new Case("refund for tenant " + tenant, PolicyInput.of(Calls.refund("support-bot", "acme",
                    Calls.json("{\"charge\": \"ch_1\", \"amount_usd_micros\": 60000000, \"tenant\": " + tenant + "}")),
                    Calls.context())));
        }
        add("refund without tenant", Calls.refund("support-bot", "acme",
                Calls.json("{\"charge\": \"ch_1\", \"amount_usd_micros\": 1}")));
        add("refund for another tenant without amount", Calls.refund("billing-bot", "globex",
                Calls.json("{\"charge\": \"ch_1\", \"tenant\": \"acme\"}")));
    }

    private void deployments() {
        String[] times = { "08:59", "09:00", "16:59", "17:00" };
        for (String environment : List.of("prod", "staging")) {
            for (int day = 0; day < WEEKDAYS.size(); day++) {
                for (String time : times) {
                    Instant at = Calls.MONDAY_10_00.plusSeconds(day * 86_400L)
                            .plusSeconds((Long.parseLong(time.substring(0, 2)) - 10) * 3600
                                    + Long.parseLong(time.substring(3)) * 60 + 30);
                    add("deploy " + environment + " " + WEEKDAYS.get(day) + " " + time, deploy(environment, at,
                            Calls.prodContext()));
                }
            }
        }
        add("deploy prod without a change window", deploy("prod", Calls.MONDAY_10_00, Calls.json("{}")));
        add("deploy prod with an empty change window", deploy("prod", Calls.MONDAY_10_00,
                Calls.json("{\"change_window\": {\"days\": [], \"start\": \"00:00\", \"end\": \"23:59\"}}")));
        ToolCall noEnvironment = Calls.resolved(Calls.principal("release-bot", "acme"), Calls.DEPLOY,
                Calls.json("{\"service\": \"api\"}"), Calls.MONDAY_10_00.plusSeconds(5 * 86_400L), Mode.ENFORCE);
        add("deploy without environment on saturday", noEnvironment);
    }

    private static JsonNode deploy(String environment, Instant at, ObjectNode contractContext) {
        ToolCall call = Calls.resolved(Calls.principal("release-bot", "acme"), Calls.DEPLOY,
                Calls.json("{\"service\": \"api\"}").put("environment", environment), at, Mode.ENFORCE);
        return PolicyInput.of(call, Calls.context(contractContext));
    }

    private void redactions() {
        add("refund with every sensitive field", Calls.refund("support-bot", "acme", Calls.json("""
                {"charge": "ch_1", "tenant": "acme", "amount_usd_micros": 10, "card_number": "4111111111111111",
                 "cvv": "123", "customer_email": "a@b.c", "ssn": "078-05-1120", "password": "pw", "api_token": "t"}""")));
        add("refund with sensitive-looking fields that are not listed", Calls.refund("support-bot", "acme", Calls.json("""
                {"charge": "ch_1", "tenant": "acme", "amount_usd_micros": 10, "Card_Number": "x", "email": "a@b.c",
                 "nested": {"cvv": "123"}}""")));
        add("denied refund still lists what to redact", Calls.refund("support-bot", "acme", Calls.json("""
                {"charge": "ch_1", "tenant": "globex", "amount_usd_micros": -5, "card_number": "4111"}""")));
        add("crm search with an ssn", Calls.resolved(Calls.principal("support-bot", "acme"), CRM,
                Calls.json("{\"ssn\": \"078-05-1120\", \"name\": \"Ada\"}"), Calls.MONDAY_10_00, Mode.DRY_RUN));
    }

    private void otherTools() {
        add("unknown tool crm", Calls.resolved(Calls.principal("support-bot", "acme"), CRM,
                Calls.json("{\"q\": \"ada\"}"), Calls.MONDAY_10_00, Mode.ENFORCE));
        add("payments action that is not a refund", Calls.resolved(Calls.principal("support-bot", "acme"), REFUND_LIST,
                Calls.json("{\"tenant\": \"globex\", \"amount_usd_micros\": -1}"), Calls.MONDAY_10_00, Mode.ENFORCE));
        ObjectNode deployAsPayments = PolicyInput.of(Calls.refund(1), Calls.context());
        ((ObjectNode) deployAsPayments.get("call")).put("tool", "deploy").put("action", "refunds.create");
        add("refund action on another tool", deployAsPayments);
    }

    private void incompleteInputs() {
        ObjectNode full = PolicyInput.of(Calls.refund(1), Calls.context());
        add("empty input", Calls.json("{}"));
        ObjectNode noPrincipal = full.deepCopy();
        noPrincipal.remove("principal");
        add("missing principal", noPrincipal);
        ObjectNode emptyAgent = full.deepCopy();
        ((ObjectNode) emptyAgent.get("principal")).put("agent", "");
        add("empty agent", emptyAgent);
        ObjectNode numericAgent = full.deepCopy();
        ((ObjectNode) numericAgent.get("principal")).put("agent", 7);
        add("numeric agent", numericAgent);
        ObjectNode noTool = full.deepCopy();
        ((ObjectNode) noTool.get("call")).remove("tool");
        add("missing call.tool", noTool);
        ObjectNode noCall = full.deepCopy();
        noCall.remove("call");
        add("missing call", noCall);
    }

    private void handWritten() {
        Path dir;
        try {
            dir = Path.of(ParityCorpus.class.getClassLoader().getResource("policy-corpus").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                cases.add(new Case(file.getFileName().toString(), Calls.JSON.readTree(file.toFile())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void add(String name, ToolCall call) {
        add(name, PolicyInput.of(call, Calls.context()));
    }

    private void add(String name, JsonNode input) {
        cases.add(new Case(name, input));
    }
}
