package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.toolgate.call.FailureMode;
import dev.toolgate.call.ToolSpec;

/** A tool's settings and its actions (schemas have their own test). */
class ToolValidationTest {

    /** A valid deploy tool with {@code %s} replaced by one more setting line. */
    private static String deploy(String setting) {
        return """
                version: 1
                tools:
                  deploy:
                    upstream: https://deploy.internal
                    risk: critical
                    reversible: false
                    %s
                    actions:
                      - {name: deployments.create, method: POST, path: /deployments, schema: {type: object}}
                """.formatted(setting);
    }

    /** A deploy tool with the given actions, each line one flow mapping. */
    private static String actions(String... actions) {
        StringBuilder yaml = new StringBuilder("""
                version: 1
                tools:
                  deploy:
                    upstream: https://deploy.internal
                    risk: critical
                    reversible: false
                    actions:
                """);
        for (String action : actions) {
            yaml.append("      - ").append(action).append('\n');
        }
        return yaml.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = { "Deploy", "de ploy", "_deploy" })
    void refusesBadToolNames(String name) {
        assertEquals(List.of("tools." + name + ": must match [a-z0-9][a-z0-9._-]*"),
                Contracts.errors("version: 1\ntools:\n" + Contracts.tool("\"" + name + "\"")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "ftp://deploy.internal", "deploy.internal", "/deploy", "http://", "http:deploy",
            "not a url", "file:///etc/passwd" })
    void refusesUpstreamsThatAreNotAbsoluteHttpUrls(String upstream) {
        assertEquals(List.of("tools.deploy.upstream: must be an absolute http or https URL"),
                Contracts.errors(deploy("").replace("https://deploy.internal", upstream)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://deploy.internal/?x=1", "https://deploy.internal/api#top" })
    void refusesUpstreamsWithQueryOrFragment(String upstream) {
        assertEquals(List.of("tools.deploy.upstream: must not have a query or fragment"),
                Contracts.errors(deploy("").replace("https://deploy.internal", upstream)));
    }

    @Test
    void refusesUpstreamsWithUserInfo() {
        assertEquals(List.of("tools.deploy.upstream: must not contain user info"),
                Contracts.errors(deploy("").replace("https://deploy.internal", "https://u:p@deploy.internal")));
    }

    @Test
    void requiresUpstreamRiskAndReversible() {
        assertEquals(List.of("tools.deploy.upstream: is required", "tools.deploy.risk: is required",
                "tools.deploy.reversible: is required"), Contracts.errors("""
                        version: 1
                        tools:
                          deploy:
                            actions: []
                        """));
    }

    @Test
    void refusesAnUnknownRisk() {
        assertEquals(List.of("tools.deploy.risk: must be one of low, medium, high, critical"),
                Contracts.errors(deploy("").replace("risk: critical", "risk: HIGH")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "maybe", "\"true\"", "1" })
    void refusesAReversibleThatIsNotABoolean(String value) {
        assertEquals(List.of("tools.deploy.reversible: must be true or false"),
                Contracts.errors(deploy("").replace("reversible: false", "reversible: " + value)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "2", "2 s", "2sec", "1.5s", "-1s", "s", "PT2S" })
    void refusesTimeoutsThatAreNotDurations(String value) {
        assertEquals(List.of("tools.deploy.timeouts.connect: must be a duration such as 250ms, 2s or 1m"),
                Contracts.errors(deploy("timeouts: {connect: \"" + value + "\"}")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "0ms", "0s", "0m" })
    void refusesZeroTimeouts(String value) {
        assertEquals(List.of("tools.deploy.timeouts.request: must be greater than 0"),
                Contracts.errors(deploy("timeouts: {request: " + value + "}")));
    }

    @Test
    void readsFailureModes() {
        // given / when
        ToolSpec deploy = Contracts.parse(deploy("failure_modes: {spend: open, rate: closed}")).tool("deploy")
                .orElseThrow();

        // then
        assertEquals(FailureMode.OPEN, deploy.spendFailureMode());
        assertEquals(FailureMode.CLOSED, deploy.rateFailureMode());
    }

    @Test
    void failureModesDefaultToSpendClosedAndRateOpen() {
        // given / when
        ToolSpec deploy = Contracts.parse(deploy("failure_modes: {}")).tool("deploy").orElseThrow();

        // then
        assertEquals(FailureMode.CLOSED, deploy.spendFailureMode());
        assertEquals(FailureMode.OPEN, deploy.rateFailureMode());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{spend: fail-open} | tools.deploy.failure_modes.spend: must be one of closed, open",
            "{rate: OPEN} | tools.deploy.failure_modes.rate: must be one of closed, open",
            "{rate: true} | tools.deploy.failure_modes.rate: must be a string",
            "{budget: open} | tools.deploy.failure_modes.budget: unknown key (known: spend, rate)",
            "open | tools.deploy.failure_modes: must be a mapping" })
    void refusesBadFailureModes(String modes, String problem) {
        assertEquals(List.of(problem), Contracts.errors(deploy("failure_modes: " + modes)));
    }

    @Test
    void requiresActions() {
        assertEquals(List.of("tools.deploy.actions: is required"),
                Contracts.errors(deploy("").replaceAll("(?s)    actions:.*", "")));
    }

    @Test
    void refusesDuplicateActionNames() {
        assertEquals(List.of("tools.deploy.actions[1].name: duplicate action name \"deployments.create\" (also actions[0])"),
                Contracts.errors(actions(
                        "{name: deployments.create, method: POST, path: /deployments, schema: {type: object}}",
                        "{name: deployments.create, method: GET, path: /deployments, schema: {type: object}}")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "Deployments.create", "deployments/create", "" })
    void refusesBadActionNames(String name) {
        List<String> errors = Contracts.errors(actions(
                "{name: \"" + name + "\", method: POST, path: /deployments, schema: {type: object}}"));
        assertEquals(List.of("tools.deploy.actions[0].name: "
                + (name.isEmpty() ? "must not be empty" : "must match [a-z0-9][a-z0-9._-]*")), errors);
    }

    @ParameterizedTest
    @ValueSource(strings = { "HEAD", "OPTIONS", "CONNECT", "FETCH" })
    void refusesOtherMethods(String method) {
        assertEquals(List.of("tools.deploy.actions[0].method: must be one of GET, POST, PUT, PATCH, DELETE"),
                Contracts.errors(actions(
                        "{name: a, method: " + method + ", path: /deployments, schema: {type: object}}")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "deployments | must start with \"/\"",
            "/deployments/ | has an empty segment",
            "/a//b | has an empty segment",
            "/a/../b | has a dot segment",
            "/a/{1x} | has a bad variable {1x}",
            "/a/x{id} | segment \"x{id}\" must be a literal or a whole {variable}",
            "/a%2Fb | segment \"a%2Fb\" must be a literal or a whole {variable}",
            "/a/{id}/b/{id} | has the variable {id} twice" })
    void refusesBadPathTemplates(String path, String problem) {
        assertEquals(List.of("tools.deploy.actions[0].path: " + problem), Contracts.errors(actions(
                "{name: a, method: GET, path: \"" + path + "\", schema: {type: object}}")));
    }

    @Test
    void refusesTwoActionsWithTheSameMethodAndPathShape() {
        assertEquals(List.of("tools.deploy.actions[2]: has the same method and path as actions[0], so it can never match"),
                Contracts.errors(actions(
                        "{name: a, method: GET, path: \"/d/{id}\", schema: {type: object}}",
                        "{name: b, method: DELETE, path: \"/d/{id}\", schema: {type: object}}",
                        "{name: c, method: get, path: \"/d/{name}\", schema: {type: object}}")));
    }

    @Test
    void requiresNameMethodPathAndSchema() {
        assertEquals(List.of("tools.deploy.actions[0].name: is required", "tools.deploy.actions[0].method: is required",
                "tools.deploy.actions[0].path: is required", "tools.deploy.actions[0].schema: is required"),
                Contracts.errors(actions("{}")));
    }
}
