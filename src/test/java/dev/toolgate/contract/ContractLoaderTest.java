package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.AgentSpec;
import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Contract;
import dev.toolgate.call.KillSwitch;
import dev.toolgate.call.Risk;
import dev.toolgate.call.ToolSpec;

class ContractLoaderTest {

    private final ContractLoader loader = new ContractLoader();

    @Test
    void loadsAgentsWithTheirKeyDigests() {
        // given / when
        Contract contract = loader.load(Contracts.file("full.yaml"));

        // then
        assertEquals(Set.of("support-bot", "release-bot"), contract.agents().keySet());
        assertEquals(new AgentSpec("support-bot", "acme", "billing-dispute", List.of("support", "tier-2"),
                List.of("de1f42d15cf84e4d393062ea022c4597b925098a52e2fc3f46ae2319c789c856")),
                contract.agents().get("support-bot"));
        assertEquals(new AgentSpec("release-bot", "globex", "", List.of(),
                List.of("b98f90d5ae4b5f5c3e21f6f5395a75e5c95bac1a1e918849df702a76754fc79e",
                        "0bdfc82d3e78b3c958f74e2f90c7c4eceacfd2c4d55655fac9d5fe59bfcf9871")),
                contract.agents().get("release-bot"));
    }

    @Test
    void loadsToolsWithTheirSettingsAndActionsInOrder() {
        // given / when
        Contract contract = loader.load(Contracts.file("full.yaml"));

        // then
        ToolSpec payments = contract.tool("payments").orElseThrow();
        assertEquals(URI.create("http://127.0.0.1:9101"), payments.upstream(), "trailing / stripped");
        assertEquals(Risk.HIGH, payments.risk());
        assertTrue(payments.reversible());
        assertEquals(List.of("pci"), payments.dataClasses());
        assertEquals(Duration.ofMillis(250), payments.connectTimeout());
        assertEquals(Duration.ofSeconds(10), payments.requestTimeout());
        assertEquals(List.of("charges.get", "refunds.create"), payments.actions().stream().map(ActionSpec::name).toList());
        ActionSpec get = payments.action("charges.get").orElseThrow();
        assertEquals("GET", get.method(), "method upper-cased");
        assertEquals("/charges/{id}", get.path().template());
        assertEquals(List.of("charges", "{id}"), get.path().segments());
        assertInstanceOf(JsonArgumentSchema.class, get.schema());

        ToolSpec deploy = contract.tool("deploy").orElseThrow();
        assertEquals(URI.create("https://deploy.internal/api"), deploy.upstream());
        assertEquals(Risk.CRITICAL, deploy.risk());
        assertEquals(false, deploy.reversible());
        assertEquals(List.of(), deploy.dataClasses());
        assertEquals(Duration.ofSeconds(2), deploy.connectTimeout(), "default connect timeout");
        assertEquals(Duration.ofMinutes(1), deploy.requestTimeout());
    }

    @Test
    void loadsGrantsKillSwitchesAndContext() {
        // given / when
        Contract contract = loader.load(Contracts.file("full.yaml"));

        // then
        assertEquals(Map.of("support-bot", Map.of("payments", Set.of("charges.get", "refunds.create")),
                "release-bot", Map.of("deploy", Set.of("*"))), contract.grants());
        assertTrue(contract.granted("release-bot", "deploy", "deployments.create"));
        assertEquals(List.of(new KillSwitch(Optional.empty(), Optional.of("deploy"), Optional.of("globex"),
                Optional.empty(), "incident 4711")), contract.killSwitches());
        assertEquals("prod", contract.context().path("environment").textValue());
        assertEquals("09:00", contract.context().path("change_window").path("start").textValue());
        assertEquals(5, contract.context().path("change_window").path("days").size());
    }

    @Test
    void compiledSchemasValidateArguments() {
        // given
        Contract contract = loader.load(Contracts.file("full.yaml"));
        ActionSpec get = contract.tool("payments").flatMap(t -> t.action("charges.get")).orElseThrow();

        // when
        List<String> valid = get.schema().validate(JsonNodeFactory.instance.objectNode().put("id", "ch_1"));
        List<String> invalid = get.schema().validate(JsonNodeFactory.instance.objectNode().put("id", "nope"));

        // then
        assertEquals(List.of(), valid);
        assertEquals(List.of("/id: does not match the regex pattern ^ch_[A-Za-z0-9]+$"), invalid);
    }

    @Test
    void revisionIsTheSha256OfTheFileBytes() throws Exception {
        // given
        Path file = Contracts.file("full.yaml");

        // when
        Contract contract = loader.load(file);

        // then
        assertEquals("sha256:" + CanonicalJson.sha256Hex(Files.readAllBytes(file)), contract.revision());
    }

    @Test
    void aContractWithOnlyAVersionIsEmptyWithAnEmptyContext() {
        // given / when
        Contract contract = loader.load(Contracts.file("minimal.yaml"));

        // then
        assertEquals(Map.of(), contract.agents());
        assertEquals(Map.of(), contract.tools());
        assertEquals(Map.of(), contract.grants());
        assertEquals(List.of(), contract.killSwitches());
        assertEquals(JsonNodeFactory.instance.objectNode(), contract.context());
    }

    @Test
    void parseRecordsTheGivenRevision() {
        // given / when
        Contract contract = loader.parse("version: 1\n", "sha256:abc");

        // then
        assertEquals("sha256:abc", contract.revision());
    }

    @Test
    void onlyTrueAndFalseAreBooleansSoNoStaysAString() {
        // given / when
        Contract contract = Contracts.parse("""
                version: 1
                agents:
                  bot: {tenant: no, workflow: yes}
                """);

        // then
        assertEquals("no", contract.agents().get("bot").tenant());
        assertEquals("yes", contract.agents().get("bot").workflow());
    }

    @Test
    void readsEachAgentsSpiffeIdsAndRefusesMalformedOrSharedOnes() {
        // given / when
        Contract contract = Contracts.parse("""
                version: 1
                agents:
                  bot:
                    tenant: acme
                    spiffe_ids: [spiffe://acme.test/ns/agents/sa/bot]
                """);

        // then
        assertEquals(List.of("spiffe://acme.test/ns/agents/sa/bot"), contract.agents().get("bot").spiffeIds());
        ContractException e = assertThrows(ContractException.class, () -> loader.parse("""
                version: 1
                agents:
                  bot:
                    tenant: acme
                    spiffe_ids: [spiffe://acme.test/ns/agents/sa/bot, "spiffe://acme.test/ns/../bot"]
                  other:
                    tenant: acme
                    spiffe_ids: [spiffe://acme.test/ns/agents/sa/bot]
                """, "sha256:x"));
        assertEquals(List.of("agents.bot.spiffe_ids[1]: must be a SPIFFE ID: spiffe://trust-domain/path (lower-case"
                + " trust domain; path segments of letters, digits, '.', '-', '_')",
                "agents.other.spiffe_ids[0]: is also a SPIFFE ID of agent \"bot\""), e.errors());
    }

    @Test
    void refusesAMissingFileNamingIt(@TempDir Path dir) {
        // given
        Path missing = dir.resolve("nope.yaml");

        // when
        ContractException e = assertThrows(ContractException.class, () -> loader.load(missing));

        // then
        assertEquals(List.of("(document): cannot be read: no such file"), e.errors());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void reportsEveryErrorTogetherInDocumentOrder() {
        // given
        Path file = Contracts.file("several-errors.yaml");

        // when
        ContractException e = assertThrows(ContractException.class, () -> loader.load(file));

        // then
        List<String> expected = List.of(
                "agents.release-bot.api_keys[0]: must be \"sha256:\" followed by 64 hex digits",
                "tools.deploy.upstream: must be an absolute http or https URL",
                "tools.deploy.risk: must be one of low, medium, high, critical",
                "grants.release-bot.deploy: unknown action \"deployments.delete\"");
        assertEquals(expected, e.errors());
        assertEquals("contract " + file + " is invalid (4 errors):\n  " + String.join("\n  ", expected),
                e.getMessage());
    }
}
