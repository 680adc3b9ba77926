package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.call.AgentSpec;
import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.Contract;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;

/** A {@code tools/call} of an MCP server's tool, resolved by name against the contract of mcp.yaml. */
class McpContractStageTest {

    private static final Contract CONTRACT = Contracts.parse(Contracts.text("mcp.yaml"));
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A call as the MCP ingress builds it: method tools/call, the MCP tool name as path, the arguments as body. */
    private static ToolCall call(String agent, String tool, String method, String path, String body) {
        AgentSpec spec = CONTRACT.agents().get(agent);
        Principal principal = new Principal(agent, spec.tenant(), spec.workflow(), spec.roles(), AuthMethod.API_KEY);
        return Calls.unidentified(tool, method, path, Map.of(), body).withPrincipal(principal);
    }

    private static Denial denied(String agent, String tool, String method, String path, String body) {
        return Calls.denial(Calls.run(CONTRACT, call(agent, tool, method, path, body)));
    }

    @Test
    void resolvesAToolsCallByNameWithTheBodyAsArguments() throws Exception {
        // when
        ResolvedAction resolved = Calls.resolved(Calls.run(CONTRACT,
                call("docs-bot", "docs", "tools/call", "search_docs", "{\"query\": \"budgets\", \"limit\": 3}")));

        // then
        assertEquals("docs", resolved.tool().name());
        assertEquals("search_docs", resolved.action().name());
        assertEquals(JSON.readTree("{\"query\": \"budgets\", \"limit\": 3}"), resolved.args());
    }

    @Test
    void takesAnEmptyBodyAsNoArguments() {
        ResolvedAction resolved = Calls.resolved(Calls.run(CONTRACT,
                call("docs-bot", "docs", "tools/call", "Cached.Search-v2", "")));
        assertEquals("Cached.Search-v2", resolved.action().name());
        assertEquals(JSON.createObjectNode(), resolved.args());
    }

    @ParameterizedTest
    @ValueSource(strings = { "delete_docs", "search_DOCS", "/search_docs", "search_docs/..", "" })
    void refusesAToolTheContractDoesNotNameWithoutEchoingIt(String name) {
        Denial denial = denied("docs-bot", "docs", "tools/call", name, "{}");
        assertEquals(Reason.TOOL_NOT_GRANTED, denial.reason());
        assertEquals("no action of tool docs matches this tools/call", denial.detail());
    }

    @Test
    void refusesAnUngrantedToolWithTheSameAnswerAsAHiddenOne() {
        Denial denial = denied("docs-bot", "docs", "tools/call", "page.write", "{}");
        assertEquals(Reason.TOOL_NOT_GRANTED, denial.reason());
        assertEquals("no action of tool docs matches this tools/call", denial.detail());
    }

    @Test
    void grantsEveryToolOfTheServerToAWildcard() {
        assertEquals("page.write", Calls.resolved(Calls.run(CONTRACT,
                call("reader-bot", "docs", "tools/call", "page.write", "{}"))).action().name());
    }

    @Test
    void refusesArgumentsThatDoNotMatchTheSchema() {
        Denial denial = denied("docs-bot", "docs", "tools/call", "search_docs", "{\"query\": \"x\", \"limit\": 0}");
        assertEquals(Reason.INVALID_ARGUMENTS, denial.reason());
        assertEquals("the arguments do not match the schema of action search_docs", denial.detail());
        assertEquals(1, denial.errors().size());
    }

    @Test
    void refusesArgumentsWithADuplicateMember() {
        Denial denial = denied("docs-bot", "docs", "tools/call", "search_docs",
                "{\"query\": \"x\", \"query\": \"y\"}");
        assertEquals(Reason.INVALID_ARGUMENTS, denial.reason());
        assertEquals("duplicate member \"query\" in the body", denial.detail());
    }

    @ParameterizedTest
    @ValueSource(strings = { "[]", "\"query\"", "1", "null" })
    void refusesArgumentsThatAreNotAnObject(String body) {
        Denial denial = denied("docs-bot", "docs", "tools/call", "Cached.Search-v2", body);
        assertEquals(Reason.INVALID_ARGUMENTS, denial.reason());
        assertEquals("the body must be a JSON object", denial.detail());
    }

    @Test
    void refusesAnHttpCallOfAnMcpTool() {
        Denial denial = denied("docs-bot", "docs", "POST", "/search_docs", "{\"query\": \"x\"}");
        assertEquals(Reason.TOOL_NOT_GRANTED, denial.reason());
        assertEquals("no action of tool docs matches this POST path", denial.detail());
    }

    @Test
    void refusesAToolsCallOfAnHttpTool() {
        Denial denial = denied("docs-bot", "ledger", "tools/call", "entries.list", "{}");
        assertEquals(Reason.TOOL_NOT_GRANTED, denial.reason());
        assertEquals("no action of tool ledger matches this tools/call", denial.detail());
        assertFalse(denial.detail().contains("entries.list"));
    }

    @Test
    void keepsResolvingHttpCallsOfTheSameAgent() {
        assertEquals("entries.list", Calls.resolved(Calls.run(CONTRACT,
                call("docs-bot", "ledger", "GET", "/entries", ""))).action().name());
    }

    /** A listing candidate as the MCP ingress builds it: no arguments, mode list. */
    private static ToolCall candidate(String agent, String name) {
        AgentSpec spec = CONTRACT.agents().get(agent);
        Principal principal = new Principal(agent, spec.tenant(), spec.workflow(), spec.roles(), AuthMethod.API_KEY);
        return ToolCall.received("id-" + name, dev.toolgate.call.Protocol.MCP, "docs",
                new dev.toolgate.call.Invocation("tools/call", name, Map.of(), new byte[0]),
                dev.toolgate.call.Secret.NONE, "", dev.toolgate.call.Mode.LIST, java.time.Instant.now())
                .withPrincipal(principal);
    }

    @Test
    void showsTheGrantedToolsOfAListingWithoutCheckingArguments() {
        var shown = new ContractStage().shows(java.util.List.of(candidate("docs-bot", "search_docs"),
                candidate("docs-bot", "page.write"), candidate("docs-bot", "hidden"),
                candidate("docs-bot", "Cached.Search-v2")),
                new dev.toolgate.pipeline.CallContext(CONTRACT, "rev")).await().indefinitely();
        // search_docs requires a query, which a listing does not have: it is shown all the same
        assertEquals(java.util.List.of("search_docs", "Cached.Search-v2"),
                shown.stream().map(c -> c.action().orElseThrow().action().name()).toList());
    }
}
