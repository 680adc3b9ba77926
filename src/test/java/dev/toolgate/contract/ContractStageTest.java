package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.Stages;

/** Tool and action resolution, grants and kill switches. */
class ContractStageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void runsAsTheContractStage() {
        ContractStage stage = new ContractStage();
        assertEquals(Stages.CONTRACT, stage.position());
        assertEquals("contract", stage.name());
    }

    @Test
    void resolvesAGrantedCallIntoActionArgumentsAndHash() throws Exception {
        // given
        ToolCall call = Calls.call("support-bot", "payments", "GET", "/charges/ch_123",
                Map.of("expand", List.of("customer", "refunds"), "limit", List.of("5")), "");

        // when
        StageResult result = Calls.run(call);

        // then
        ResolvedAction resolved = Calls.resolved(result);
        assertEquals("payments", resolved.tool().name());
        assertEquals("charges.get", resolved.action().name());
        assertEquals(JSON.readTree("{\"id\": \"ch_123\", \"expand\": [\"customer\", \"refunds\"], \"limit\": \"5\"}"),
                resolved.args());
        assertEquals(CanonicalJson.sha256(resolved.args()), resolved.argsSha256());
        ToolCall next = assertInstanceOf(StageResult.Continue.class, result).call();
        assertEquals(call.principal(), next.principal());
        assertEquals(call.id(), next.id());
    }

    @Test
    void resolvesPathVariablesAndBodyMembersTogether() throws Exception {
        // given
        ToolCall call = Calls.call("support-bot", "payments", "POST", "/charges/ch_1/refunds", Map.of(),
                "{\"amount\": 500, \"metadata\": {\"ticket\": \"T-1\"}}");

        // when
        ResolvedAction resolved = Calls.resolved(Calls.run(call));

        // then
        assertEquals("refunds.create", resolved.action().name());
        assertEquals(JSON.readTree("{\"id\": \"ch_1\", \"amount\": 500, \"metadata\": {\"ticket\": \"T-1\"}}"),
                resolved.args());
    }

    @Test
    void bodiesThatDifferOnlyInMemberOrderAndWhitespaceHashTheSame() {
        // given
        ToolCall compact = Calls.call("support-bot", "payments", "POST", "/charges/ch_1/refunds", Map.of(),
                "{\"amount\":500,\"reason\":\"duplicate\",\"metadata\":{\"a\":1,\"b\":[1,2]}}");
        ToolCall spaced = Calls.call("support-bot", "payments", "POST", "/charges/ch_1/refunds", Map.of(),
                "{ \"metadata\" : { \"b\" : [ 1, 2 ], \"a\" : 1 },\n  \"reason\" : \"duplicate\", \"amount\" : 500 }");
        ToolCall other = Calls.call("support-bot", "payments", "POST", "/charges/ch_1/refunds", Map.of(),
                "{\"amount\":501,\"reason\":\"duplicate\",\"metadata\":{\"a\":1,\"b\":[1,2]}}");

        // when
        String compactHash = Calls.resolved(Calls.run(compact)).argsSha256();
        String spacedHash = Calls.resolved(Calls.run(spaced)).argsSha256();
        String otherHash = Calls.resolved(Calls.run(other)).argsSha256();

        // then
        assertEquals(compactHash, spacedHash);
        assertTrue(!compactHash.equals(otherHash), "a different amount must hash differently");
    }

    @Test
    void resolvesTheRootPath() {
        assertEquals("home", Calls.resolved(Calls.run(Calls.call("support-bot", "payments", "GET", "/")))
                .action().name());
    }

    @Test
    void unknownAndUngrantedToolsGetIdenticalDenials() {
        // given: deploy exists but auditor-bot has no grant for it; billing does not exist
        ToolCall ungranted = Calls.call("auditor-bot", "deploy", "POST", "/deployments");
        ToolCall unknown = Calls.call("auditor-bot", "billing", "POST", "/deployments");

        // when
        Denial ungrantedDenial = Calls.denial(Calls.run(ungranted));
        Denial unknownDenial = Calls.denial(Calls.run(unknown));

        // then: only the tool name the caller sent differs
        assertEquals(Denial.of(Reason.TOOL_NOT_GRANTED, "agent auditor-bot has no grant for tool deploy"),
                ungrantedDenial);
        assertEquals(Denial.of(Reason.TOOL_NOT_GRANTED, "agent auditor-bot has no grant for tool billing"),
                unknownDenial);
    }

    @Test
    void deniesAnActionTheAgentIsNotGranted() {
        // given: auditor-bot may only read charges
        ToolCall call = Calls.call("auditor-bot", "payments", "DELETE", "/charges/ch_1");

        // when
        Denial denial = Calls.denial(Calls.run(call));

        // then
        assertEquals(Denial.of(Reason.TOOL_NOT_GRANTED,
                "agent auditor-bot has no grant for action charges.delete of tool payments"), denial);
    }

    @Test
    void grantsEveryActionOfATool() {
        assertEquals("entries.list", Calls.resolved(Calls.run(Calls.call("auditor-bot", "ledger", "GET",
                "/entries"))).action().name());
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET /refunds", "PUT /charges/ch_1", "GET /charges", "GET /charges/ch_1/x",
            "get /charges/ch_1", "HEAD /charges/ch_1" })
    void deniesAMethodAndPathNoActionMatches(String request) {
        // given
        String[] parts = request.split(" ");
        ToolCall call = Calls.call("support-bot", "payments", parts[0], parts[1]);

        // when
        Denial denial = Calls.denial(Calls.run(call));

        // then
        assertEquals(Denial.of(Reason.TOOL_NOT_GRANTED, "no action of tool payments matches this " + parts[0] + " path"),
                denial);
    }

    @Test
    void theFirstMatchingActionWins() {
        // given
        Contract contract = Contracts.parse("""
                version: 1
                agents: {bot: {tenant: acme}}
                tools:
                  t:
                    upstream: http://127.0.0.1:1
                    risk: low
                    reversible: true
                    actions:
                      - {name: latest, method: GET, path: /charges/latest, schema: {type: object}}
                      - {name: one, method: GET, path: "/charges/{id}", schema: {type: object}}
                grants:
                  bot: {t: ["*"]}
                """);
        ToolCall latest = Calls.unidentified("t", "GET", "/charges/latest", Map.of(), "")
                .withPrincipal(new Principal("bot", "acme", "", List.of(), AuthMethod.JWT));

        // when
        ResolvedAction resolved = Calls.resolved(Calls.run(contract, latest));

        // then
        assertEquals("latest", resolved.action().name());
        assertEquals(0, resolved.args().size());
    }

    @Test
    void refusesACallWithoutPrincipal() {
        // given: the identity stage did not run (a wiring bug)
        ToolCall call = Calls.unidentified("payments", "GET", "/charges/ch_1", Map.of(), "");

        // when
        Denial denial = Calls.denial(Calls.run(call));

        // then
        assertEquals(Reason.UNAUTHENTICATED, denial.reason());
    }
}
