package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/** What YAML would make ambiguous is refused: duplicate keys, unknown keys, aliases, several documents. */
class YamlValidationTest {

    @Test
    void refusesDuplicateKeys() {
        // given
        ContractLoader loader = new ContractLoader();

        // when
        ContractException e = assertThrows(ContractException.class,
                () -> loader.load(Contracts.file("duplicate-key.yaml")));

        // then
        assertEquals(List.of("agents.support-bot: duplicate key \"tenant\""), e.errors());
    }

    @Test
    void refusesDuplicateKeysAtTheTopAndInLists() {
        assertEquals(List.of("(document): duplicate key \"version\""), Contracts.errors("version: 1\nversion: 1\n"));
        assertEquals(List.of("kill_switches[1]: duplicate key \"tool\""), Contracts.errors("""
                version: 1
                kill_switches:
                  - {tool: a, reason: r}
                  - {tool: a, tool: b, reason: r}
                """));
    }

    @Test
    void refusesUnknownKeysAtEveryLevel() {
        // given
        String yaml = Contracts.text("unknown-keys.yaml");

        // when
        List<String> errors = Contracts.errors(yaml);

        // then
        assertEquals(List.of(
                "agent: unknown key (known: version, agents, tools, grants, kill_switches, limits, context)",
                "tools.payments.timeout: unknown key (known: kind, upstream, risk, reversible, data_classes, timeouts, "
                        + "failure_modes, headers, actions, services, descriptor_set)",
                "tools.payments.actions[0].schma: unknown key (known: name, method, path, schema, cost, fallback, "
                        + "idempotency_key)",
                "tools.payments.actions[0].schema: is required"), errors);
    }

    @Test
    void refusesUnknownKeysInAgentsTimeoutsAndKillSwitches() {
        assertEquals(List.of(
                "agents.bot.tenat: unknown key (known: tenant, workflow, roles, api_keys, spiffe_ids)",
                "agents.bot.tenant: is required",
                "tools.deploy.timeouts.conect: unknown key (known: connect, request)",
                "kill_switches[0].reson: unknown key (known: agent, tool, tenant, workflow, reason)",
                "kill_switches[0].reason: is required"), Contracts.errors("""
                        version: 1
                        agents:
                          bot: {tenat: acme}
                        tools:
                          deploy:
                            upstream: https://deploy.internal
                            risk: low
                            reversible: true
                            timeouts: {conect: 1s}
                            actions: []
                        kill_switches:
                          - {tool: deploy, reson: oops}
                        """));
    }

    @Test
    void refusesAliases() {
        assertEquals(List.of("agents.b.tenant: YAML aliases are not supported"), Contracts.errors("""
                version: 1
                agents:
                  a: {tenant: &t acme}
                  b: {tenant: *t}
                """));
    }

    @Test
    void refusesASecondDocument() {
        assertEquals(List.of("(document): must be a single YAML document"),
                Contracts.errors("version: 1\n---\nversion: 1\n"));
    }

    @Test
    void reportsSyntaxErrorsWithTheirLine() {
        assertEquals(List.of("line 3, column 9: mapping values are not allowed here"), Contracts.errors("""
                version: 1
                agents:
                  bot: a: b
                """));
    }

    @Test
    void anEmptyDocumentLacksItsVersion() {
        assertEquals(List.of("version: is required"), Contracts.errors(""));
    }
}
