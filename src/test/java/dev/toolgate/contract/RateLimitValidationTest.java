package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.toolgate.call.RateLimitSpec;

/** {@code limits.rate}: names, selectors, subjects, N/duration and burst. */
class RateLimitValidationTest {

    private static final String BASE = """
            version: 1
            agents:
              support-bot: {tenant: acme}
            tools:
            """ + Contracts.tool("payments");

    /** The base contract with one rate limit, given as a flow mapping. */
    private static String rate(String limit) {
        return BASE + "limits:\n  rate:\n    - " + limit + "\n";
    }

    @Test
    void acceptsAMinimalRateLimit() {
        // given / when
        List<RateLimitSpec> limits = Contracts.parse(rate("{name: calls, per: agent, limit: 1/1h}")).rateLimits();

        // then
        assertEquals(1, limits.size());
        assertEquals(Duration.ofHours(1), limits.get(0).period());
        assertEquals(1, limits.get(0).burst());
    }

    @Test
    void requiresNamePerAndLimit() {
        assertEquals(List.of("limits.rate[0].name: is required", "limits.rate[0].per: is required",
                "limits.rate[0].limit: is required"), Contracts.errors(rate("{burst: 3}")));
    }

    @Test
    void refusesUnknownKeysInLimitsRatesAndSelectors() {
        assertEquals(List.of(
                "limits.rates: unknown key (known: rate, budgets)",
                "limits.rate[0].burts: unknown key (known: name, match, per, limit, burst)",
                "limits.rate[0].match.workflow: unknown key (known: agent, tool, action, tenant)"),
                Contracts.errors(BASE + """
                        limits:
                          rates: []
                          rate:
                            - {name: a, per: agent, limit: 1/1s, burts: 2, match: {workflow: w}}
                        """));
    }

    @Test
    void refusesLimitsThatAreNotAMappingAndRatesThatAreNotAList() {
        assertEquals(List.of("limits: must be a mapping"), Contracts.errors(BASE + "limits: [a]\n"));
        assertEquals(List.of("limits.rate: must be a list"), Contracts.errors(BASE + "limits: {rate: {a: 1}}\n"));
        assertEquals(List.of("limits.rate[0]: must be a mapping"), Contracts.errors(rate("calls")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "Calls", "calls per agent", "_calls" })
    void refusesBadNames(String name) {
        assertEquals(List.of("limits.rate[0].name: must match [a-z0-9][a-z0-9._-]*"),
                Contracts.errors(rate("{name: \"" + name + "\", per: agent, limit: 1/1s}")));
    }

    @Test
    void refusesDuplicateNames() {
        assertEquals(List.of("limits.rate[2].name: duplicate rate limit name \"calls\" (also limits.rate[0])"),
                Contracts.errors(BASE + """
                        limits:
                          rate:
                            - {name: calls, per: agent, limit: 1/1s}
                            - {name: other, per: agent, limit: 1/1s}
                            - {name: calls, per: tool, limit: 2/1s}
                        """));
    }

    @ParameterizedTest
    @ValueSource(strings = { "workflow", "run", "Agent", "agents" })
    void refusesUnknownSubjects(String per) {
        assertEquals(List.of("limits.rate[0].per: must be one of agent, tool, action, tenant"),
                Contracts.errors(rate("{name: calls, per: " + per + ", limit: 1/1s}")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "10", "10/s", "10 / 1s", "10/1sec", "1.5/1s", "-1/1s", "10/1d", "10/PT1S", "ten/1s",
            "1234567890/1s" })
    void refusesLimitsThatAreNotNPerDuration(String limit) {
        assertEquals(List.of("limits.rate[0].limit: must be N/duration, e.g. 10/1s"),
                Contracts.errors(rate("{name: calls, per: agent, limit: \"" + limit + "\"}")));
    }

    @Test
    void refusesALimitThatIsNotAString() {
        assertEquals(List.of("limits.rate[0].limit: must be N/duration, e.g. 10/1s"),
                Contracts.errors(rate("{name: calls, per: agent, limit: 10}")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0/1s | must allow at least 1 call per period",
            "10/0ms | the period must be greater than 0",
            "1001/1ms | must not allow more than 1 call per microsecond" })
    void refusesLimitsOutOfRange(String limit, String problem) {
        assertEquals(List.of("limits.rate[0].limit: " + problem),
                Contracts.errors(rate("{name: calls, per: agent, limit: " + limit + "}")));
    }

    @Test
    void acceptsOneCallPerMicrosecond() {
        assertEquals(1000, Contracts.parse(rate("{name: calls, per: agent, limit: 1000/1ms}")).rateLimits().get(0)
                .permits());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0 | must be at least 1",
            "-3 | must be at least 1",
            "2.5 | must be an integer",
            "\"20\" | must be an integer",
            "2251799813685249 | must be at most 2251799813685248" })
    void refusesBurstsThatAreNotPositiveIntegers(String burst, String problem) {
        assertEquals(List.of("limits.rate[0].burst: " + problem),
                Contracts.errors(rate("{name: calls, per: agent, limit: 1/1s, burst: " + burst + "}")));
    }

    @Test
    void refusesSelectorsNamingUnknownAgentsToolsOrActions() {
        assertEquals(List.of(
                "limits.rate[0].match.agent: unknown agent \"nobody\"",
                "limits.rate[1].match.tool: unknown tool \"billing\"",
                "limits.rate[2].match.action: unknown action \"items.delete\" of tool \"payments\""),
                Contracts.errors(BASE + """
                        limits:
                          rate:
                            - {name: a, per: agent, limit: 1/1s, match: {agent: nobody}}
                            - {name: b, per: tool, limit: 1/1s, match: {tool: billing, action: items.get}}
                            - {name: c, per: action, limit: 1/1s, match: {tool: payments, action: items.delete}}
                        """));
    }

    @Test
    void refusesAnActionSelectorWithoutATool() {
        assertEquals(List.of("limits.rate[0].match.action: needs a tool selector naming the action's tool"),
                Contracts.errors(rate("{name: a, per: action, limit: 1/1s, match: {action: items.get}}")));
    }

    @Test
    void refusesAMatchThatIsNotAMappingOfStrings() {
        assertEquals(List.of("limits.rate[0].match: must be a mapping"),
                Contracts.errors(rate("{name: a, per: agent, limit: 1/1s, match: support-bot}")));
        assertEquals(List.of("limits.rate[0].match.tenant: must be a string"),
                Contracts.errors(rate("{name: a, per: agent, limit: 1/1s, match: {tenant: [acme]}}")));
    }

    @Test
    void acceptsATenantSelectorThatNoAgentHas() {
        // tenants are not declared anywhere, so they cannot be checked (as with kill switches)
        assertEquals(1, Contracts.parse(rate("{name: a, per: tenant, limit: 1/1s, match: {tenant: globex}}"))
                .rateLimits().size());
    }

    @Test
    void selectorsOfADeclaredButInvalidToolAreNotReportedAgain() {
        // given: one mistake in the tool
        String yaml = BASE.replace("risk: low", "risk: extreme") + """
                limits:
                  rate:
                    - {name: a, per: action, limit: 1/1s, match: {tool: payments, action: items.get}}
                """;

        // when / then: reported once, where it is
        assertEquals(List.of("tools.payments.risk: must be one of low, medium, high, critical"),
                Contracts.errors(yaml));
    }
}
