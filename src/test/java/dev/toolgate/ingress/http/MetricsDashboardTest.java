package dev.toolgate.ingress.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The metrics toolgate exports at {@code /q/metrics}, and the Grafana dashboard over them ({@code docs/grafana/}):
 * every query of the dashboard names a metric the gateway exports, and no metric has a label per agent or run. A
 * metric appears in a scrape once its first event happened; one whose event this world does not cause (a limit failing
 * open, an audit write failing, an MCP message) must at least be registered under that name by toolgate's code.
 */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class MetricsDashboardTest {

    private static final Pattern METRIC = Pattern.compile("\\b(toolgate_[a-z_]+)");

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    /** The Prometheus suffixes of a Micrometer meter's name: counters, timers, base units. */
    private static final List<String> SUFFIXES = List.of("", "_total", "_seconds", "_seconds_bucket",
            "_seconds_count", "_seconds_sum", "_seconds_max", "_usd_micros_total");

    /** Whether a meter of this Prometheus name is registered by name in toolgate's main code. */
    private static boolean registeredInCode(String prometheusName) throws java.io.IOException {
        Pattern literal = Pattern.compile("\"(toolgate\\.[a-z_.]+)\"");
        try (var files = java.nio.file.Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = literal.matcher(java.nio.file.Files.readString(file));
                while (m.find()) {
                    String base = m.group(1).replace('.', '_');
                    for (String suffix : SUFFIXES) {
                        if (prometheusName.equals(base + suffix)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    @Test
    void aSpendCounterIsScrapedUnderTheNameTheDashboardQueries() {
        var registry = new io.micrometer.prometheus.PrometheusMeterRegistry(
                io.micrometer.prometheus.PrometheusConfig.DEFAULT);
        io.micrometer.core.instrument.Counter.builder("toolgate.spend.settled").baseUnit("usd_micros")
                .tag("budget", "refunds-per-day").register(registry).increment(700_000);
        assertTrue(registry.scrape().contains("toolgate_spend_settled_usd_micros_total{budget=\"refunds-per-day\""),
                registry.scrape());
    }

    @Test
    void everyQueryOfTheDashboardNamesAMetricToolgateExports() throws Exception {
        // given calls of every kind the panels show: allowed and forwarded (a tool, a stage, a budget), denied
        given().header("Authorization", "Bearer demo-support-key").get("/tools/payments/charges/ch_metrics")
                .then().statusCode(200);
        given().header("Authorization", "Bearer demo-support-key").contentType("application/json")
                .body("{\"service\":\"api\",\"environment\":\"dev\"}").post("/tools/deploy/deployments")
                .then().statusCode(403);
        given().header("Authorization", "Bearer export-key").contentType("application/json")
                .body("{\"id\":\"ch_1\"}").post("/tools/exports/exports/fetch");
        // a refund over the unattended limit opens an approval request
        given().header("Authorization", "Bearer self-approver-key").header("Toolgate-Run-Id", "run-metrics")
                .contentType("application/json")
                .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":60000000,\"tenant\":\"acme\"}")
                .post("/tools/payments/refunds").then().statusCode(403);

        // when
        String scrape = given().get(metrics.toString()).then().statusCode(200).extract().asString();
        Set<String> exported = new TreeSet<>();
        for (String line : scrape.lines().toList()) {
            if (!line.startsWith("#") && line.startsWith("toolgate_")) {
                exported.add(line.replaceFirst("[{ ].*", ""));
            }
        }

        // then every metric a panel queries is there
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("docs/grafana/toolgate.json").toFile());
        List<String> missing = new ArrayList<>();
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries++;
                Matcher m = METRIC.matcher(target.path("expr").asText());
                boolean named = false;
                while (m.find()) {
                    named = true;
                    if (!exported.contains(m.group(1)) && !registeredInCode(m.group(1))) {
                        missing.add(panel.path("title").asText() + ": " + m.group(1));
                    }
                }
                assertTrue(named, "panel " + panel.path("title").asText() + " queries no toolgate metric");
            }
        }
        assertTrue(queries >= 10, "the dashboard has " + queries + " queries");
        assertEquals(List.of(), missing, "metrics the dashboard queries that toolgate does not export: " + exported);

        // and the decisions carry tool, tenant and reason; stages, tools and budgets have theirs
        assertTrue(scrape.contains("toolgate_calls_total{") && scrape.contains("tenant=\"acme\""), "calls by tenant");
        assertTrue(scrape.contains("toolgate_stage_duration_seconds_bucket{") && scrape.contains("stage=\"policy\""),
                "stage latency");
        assertTrue(scrape.contains("toolgate_upstream_duration_seconds_bucket{") && scrape.contains("tool=\"payments\""),
                "tool latency");
        assertTrue(scrape.contains("toolgate_approvals_total{event=\"opened\",tier=\"required\"}"),
                "approval events");
        // no label per agent or run: their number is unbounded
        for (String line : scrape.lines().filter(l -> l.startsWith("toolgate_")).toList()) {
            assertFalse(line.contains("agent=") || line.contains("run_id=") || line.contains("run="),
                    "a metric labelled by agent or run: " + line);
        }
    }
}
