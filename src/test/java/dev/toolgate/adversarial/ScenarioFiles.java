package dev.toolgate.adversarial;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.adversarial.Scenario.Expect;
import dev.toolgate.adversarial.Scenario.Identity;
import dev.toolgate.adversarial.Scenario.Ledger;
import dev.toolgate.adversarial.Scenario.Step;

/**
 * Reads the pack: every {@code *.yaml} under {@code src/test/resources/adversarial/<category>/}. A file holds
 * {@code world} (the default of its scenarios), optional {@code defaults} (step fields every step starts from) and
 * {@code scenarios}; a scenario without {@code steps} is one step written inline. An unknown key, a duplicate id or a
 * scenario that expects nothing is an error, so that a typo never weakens a scenario silently.
 */
final class ScenarioFiles {

    static final Path ROOT = Path.of("src/test/resources/adversarial");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FILE_KEYS = Set.of("world", "defaults", "scenarios");
    private static final Set<String> SCENARIO_KEYS = Set.of("id", "description", "world", "steps", "budgets");
    private static final Set<String> STEP_KEYS = Set.of("auth", "method", "path", "headers", "body", "body_base64",
            "body_fill", "mcp", "message", "slow", "concurrent", "capture", "open_session", "expect", "grpc");
    private static final Set<String> GRPC_KEYS = Set.of("method", "message", "message_base64", "message_fill",
            "metadata");
    private static final List<String> BODY_KEYS = List.of("body", "body_base64", "body_fill", "message");
    private static final Set<String> EXPECT_KEYS = Set.of("status", "reason", "cause", "rpc_error", "upstream",
            "upstream_saw", "audit", "body_has", "body_lacks", "headers", "counts", "grpc_status");

    private ScenarioFiles() {
    }

    /** Every scenario of the pack, in file and then document order. */
    static List<Scenario> all() {
        List<Scenario> scenarios = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                scenarios.addAll(read(file));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the adversarial pack under " + ROOT, e);
        }
        Set<String> ids = new HashSet<>();
        for (Scenario scenario : scenarios) {
            if (!ids.add(scenario.id())) {
                throw new IllegalStateException("two scenarios are named " + scenario.id());
            }
        }
        return scenarios;
    }

    static List<Scenario> read(Path file) {
        String where = ROOT.relativize(file).toString();
        try {
            // SnakeYAML itself, not Jackson's YAML tree: the pack's files reuse steps with anchors and aliases
            JsonNode doc = JSON.valueToTree(new Yaml().load(Files.readString(file, StandardCharsets.UTF_8)));
            keys(doc, FILE_KEYS, where);
            String category = ROOT.relativize(file).getName(0).toString();
            if (ROOT.relativize(file).getNameCount() != 2) {
                throw new IllegalArgumentException("a scenario file lives in adversarial/<category>/");
            }
            JsonNode defaults = doc.path("defaults");
            List<Scenario> scenarios = new ArrayList<>();
            for (JsonNode node : doc.path("scenarios")) {
                keys(node, node.has("steps") ? SCENARIO_KEYS : union(SCENARIO_KEYS, STEP_KEYS), where);
                String id = category + "/" + text(node, "id", where);
                String world = node.has("world") ? node.get("world").asText() : doc.path("world").asText("gateway");
                List<Step> steps = new ArrayList<>();
                if (node.has("steps")) {
                    for (JsonNode step : node.get("steps")) {
                        steps.add(step(merge(defaults, step), id));
                    }
                } else {
                    ObjectNode inline = node.deepCopy();
                    List.of("id", "description", "world", "budgets").forEach(inline::remove);
                    steps.add(step(merge(defaults, inline), id));
                }
                List<Ledger> budgets = new ArrayList<>();
                for (JsonNode b : node.path("budgets")) {
                    budgets.add(new Ledger(b.path("budget").asText(null), b.path("tenant").asText("acme"),
                            b.path("agent").asText(null), b.path("run").asText(null), b.path("workflow").asText(null),
                            b.has("spent_after") ? b.get("spent_after").asLong() : null,
                            b.has("reserved_after") ? b.get("reserved_after").asLong() : null));
                }
                scenarios.add(new Scenario(id, category, PackWorld.Name.valueOf(world.toUpperCase(Locale.ROOT)),
                        node.path("description").asText(null), where, steps, budgets));
            }
            return scenarios;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(where + ": " + e.getMessage(), e);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static JsonNode merge(JsonNode defaults, JsonNode step) {
        if (defaults.isMissingNode()) {
            return step;
        }
        ObjectNode merged = defaults.deepCopy();
        // a step's own body, of whichever kind, replaces the default body of any kind
        if (BODY_KEYS.stream().anyMatch(step::has)) {
            merged.remove(BODY_KEYS);
        }
        merged.setAll((ObjectNode) step);
        return merged;
    }

    private static Step step(JsonNode node, String id) throws IOException {
        keys(node, STEP_KEYS, id);
        Scenario.Mcp mcp = null;
        String path = node.path("path").asText(null);
        String method = node.path("method").asText(null);
        String body = body(node);
        if (node.has("mcp")) {
            JsonNode m = node.get("mcp");
            mcp = new Scenario.Mcp(m.path("server").asText(null), m.path("session").asText(null),
                    m.has("protocol_version") ? m.get("protocol_version").asText() : null);
            path = path != null ? path : "/mcp/" + mcp.server();
            method = method != null ? method : "POST";
        }
        if (node.has("message")) {
            body = node.get("message").isTextual() ? node.get("message").asText()
                    : JSON.writeValueAsString(node.get("message"));
        }
        if (method == null && path != null) {
            method = body == null ? "GET" : "POST";
        }
        Scenario.Slow slow = null;
        if (node.has("slow")) {
            JsonNode s = node.get("slow");
            slow = new Scenario.Slow(s.path("chunk_bytes").asInt(16), s.path("pause_ms").asInt(20),
                    s.path("cut_after").asInt(-1));
        }
        Map<String, String> capture = new LinkedHashMap<>();
        node.path("capture").fields().forEachRemaining(e -> capture.put(e.getKey(), e.getValue().asText()));
        String openSession = node.path("open_session").asText(null);
        byte[] raw = node.has("body_base64") ? Base64.getDecoder().decode(node.get("body_base64").asText()) : null;
        if (raw != null && method == null) {
            method = "POST";
        }
        Scenario.Grpc grpc = null;
        if (node.has("grpc")) {
            JsonNode g = node.get("grpc");
            keys(g, GRPC_KEYS, id);
            String json = g.has("message") ? (g.get("message").isTextual() ? g.get("message").asText()
                    : JSON.writeValueAsString(g.get("message"))) : null;
            byte[] bytes = g.has("message_base64") ? Base64.getDecoder().decode(g.get("message_base64").asText())
                    : g.has("message_fill") ? body(JSON.createObjectNode().set("body_fill", g.get("message_fill")))
                            .getBytes(StandardCharsets.UTF_8) : null;
            grpc = new Scenario.Grpc(text(g, "method", id), json, bytes, headers(g.path("metadata")));
            method = "GRPC";
            path = grpc.method();
        }
        return new Step(identity(node.get("auth"), id), method, path, headers(node.path("headers")), body, raw, mcp,
                slow,
                node.path("concurrent").asInt(1), capture, openSession,
                node.has("expect") ? expect(node.get("expect"), id) : null, grpc);
    }

    private static String body(JsonNode node) throws IOException {
        if (node.has("body_fill")) {
            JsonNode f = node.get("body_fill");
            return f.path("prefix").asText("") + f.path("fill").asText("x").repeat(f.path("times").asInt())
                    + f.path("suffix").asText("");
        }
        if (!node.has("body")) {
            return null;
        }
        JsonNode body = node.get("body");
        return body.isTextual() ? body.asText() : JSON.writeValueAsString(body);
    }

    private static Identity identity(JsonNode auth, String id) {
        if (auth == null || auth.isNull()) {
            return new Scenario.Anonymous();
        }
        if (auth.isTextual()) {
            return new Scenario.RawAuthorization(auth.asText());
        }
        if (auth.has("key")) {
            return new Scenario.RawAuthorization("Bearer " + auth.get("key").asText());
        }
        if (auth.has("jwt")) {
            Map<String, JsonNode> claims = new HashMap<>();
            auth.get("jwt").fields().forEachRemaining(e -> claims.put(e.getKey(), e.getValue()));
            Scenario.Signing signing = Scenario.Signing
                    .valueOf(auth.path("sign").asText("test_key").toUpperCase(Locale.ROOT));
            return new Scenario.Jwt(claims, signing, auth.path("kid").asText("test-key"));
        }
        throw new IllegalArgumentException(id + ": auth is null, a string, {key: ...} or {jwt: {...}, sign, kid}");
    }

    private static List<Map.Entry<String, String>> headers(JsonNode node) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode line : node) {
                if (line.isObject()) {
                    line.fields().forEachRemaining(e -> headers.add(Map.entry(e.getKey(), e.getValue().asText())));
                    continue;
                }
                String text = line.asText();
                int colon = text.indexOf(':');
                headers.add(Map.entry(text.substring(0, colon).strip(), text.substring(colon + 1).strip()));
            }
        } else {
            node.fields().forEachRemaining(e -> headers.add(Map.entry(e.getKey(), e.getValue().asText())));
        }
        return headers;
    }

    private static Expect expect(JsonNode node, String id) {
        keys(node, EXPECT_KEYS, id);
        Scenario.UpstreamSaw saw = null;
        if (node.has("upstream_saw")) {
            JsonNode s = node.get("upstream_saw");
            Map<String, String> headers = new LinkedHashMap<>();
            s.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
            saw = new Scenario.UpstreamSaw(s.path("path").asText(null), s.path("query").asText(null), headers,
                    strings(s.path("without_headers")), strings(s.path("without_header_prefixes")),
                    s.path("body_has").asText(null));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        node.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        Map<String, Integer> counts = new LinkedHashMap<>();
        node.path("counts").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
        Scenario.Audit audit = node.has("audit")
                ? Scenario.Audit.valueOf(node.get("audit").asText().toUpperCase(Locale.ROOT))
                : null;
        if (!node.has("status") && counts.isEmpty()) {
            throw new IllegalArgumentException(id + ": expect needs a status (or counts)");
        }
        String grpcStatus = node.path("grpc_status").asText(null);
        if (grpcStatus != null) {
            io.grpc.Status.Code.valueOf(grpcStatus);
        }
        return new Expect(node.path("status").asInt(-1), node.path("reason").asText(null),
                node.path("cause").asText(null), node.has("rpc_error") ? node.get("rpc_error").asInt() : null,
                node.has("upstream") ? node.get("upstream").asInt() : null, saw, audit, strings(node.path("body_has")),
                strings(node.path("body_lacks")), headers, counts, grpcStatus);
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isTextual()) {
            values.add(node.asText());
        }
        node.elements().forEachRemaining(n -> values.add(n.asText()));
        return values;
    }

    private static String text(JsonNode node, String key, String where) {
        if (!node.path(key).isTextual()) {
            throw new IllegalArgumentException(where + ": " + key + " is missing");
        }
        return node.get(key).asText();
    }

    private static void keys(JsonNode node, Set<String> allowed, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": expected a mapping, found " + node);
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(where + ": unknown key " + name + " (allowed: " + allowed + ")");
            }
        }
    }
}
