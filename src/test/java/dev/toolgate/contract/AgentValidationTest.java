package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The version, agents and their API keys. */
class AgentValidationTest {

    private static final String KEY = "sha256:de1f42d15cf84e4d393062ea022c4597b925098a52e2fc3f46ae2319c789c856";

    @Test
    void requiresVersion() {
        assertEquals(List.of("version: is required"), Contracts.errors("agents: {}\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "2", "\"1\"", "1.5", "[1]" })
    void requiresVersionOne(String version) {
        assertEquals(List.of("version: must be 1"), Contracts.errors("version: " + version + "\n"));
    }

    @Test
    void refusesADocumentThatIsNotAMapping() {
        assertEquals(List.of("(document): must be a mapping"), Contracts.errors("- version: 1\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "Support-Bot", "support_bot!", "-bot", ".bot", "bot name" })
    void refusesBadAgentNames(String name) {
        // given
        String yaml = """
                version: 1
                agents:
                  "%s": {tenant: acme}
                """.formatted(name);

        // when / then
        assertEquals(List.of("agents." + name + ": must match [a-z0-9][a-z0-9._-]*"), Contracts.errors(yaml));
    }

    @Test
    void requiresTenant() {
        assertEquals(List.of("agents.support-bot.tenant: is required"), Contracts.errors("""
                version: 1
                agents:
                  support-bot: {workflow: billing}
                """));
    }

    @Test
    void requiresStringsForTenantWorkflowAndRoles() {
        assertEquals(List.of("agents.support-bot.tenant: must be a string",
                "agents.support-bot.workflow: must not be empty",
                "agents.support-bot.roles[1]: must be a string"), Contracts.errors("""
                        version: 1
                        agents:
                          support-bot: {tenant: [acme], workflow: "", roles: [a, {b: c}]}
                        """));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "de1f42d15cf84e4d393062ea022c4597b925098a52e2fc3f46ae2319c789c856",
            "sha256:DE1F42D15CF84E4D393062EA022C4597B925098A52E2FC3F46AE2319C789C856",
            "sha256:de1f42d15cf84e4d393062ea022c4597b925098a52e2fc3f46ae2319c789c85",
            "sha256:de1f42d15cf84e4d393062ea022c4597b925098a52e2fc3f46ae2319c789c856a",
            "sha512:de1f42d15cf84e4d393062ea022c4597b925098a52e2fc3f46ae2319c789c856",
            "my-secret-api-key" })
    void refusesApiKeysThatAreNotSha256Digests(String key) {
        // given
        String yaml = """
                version: 1
                agents:
                  release-bot:
                    tenant: globex
                    api_keys: ["%s"]
                """.formatted(key);

        // when / then
        assertEquals(List.of("agents.release-bot.api_keys[0]: must be \"sha256:\" followed by 64 hex digits"),
                Contracts.errors(yaml));
    }

    @Test
    void refusesOneKeyDigestForTwoAgentsWithoutRepeatingIt() {
        // given
        String yaml = """
                version: 1
                agents:
                  support-bot: {tenant: acme, api_keys: [%1$s]}
                  release-bot: {tenant: globex, api_keys: [%1$s]}
                """.formatted(KEY);

        // when
        List<String> errors = Contracts.errors(yaml);

        // then
        assertEquals(List.of("agents.release-bot.api_keys[0]: is also a key of agent \"support-bot\""), errors);
    }

    @Test
    void refusesOneKeyDigestListedTwiceForOneAgent() {
        assertEquals(List.of("agents.support-bot.api_keys[1]: is listed twice"), Contracts.errors("""
                version: 1
                agents:
                  support-bot: {tenant: acme, api_keys: [%1$s, %1$s]}
                """.formatted(KEY)));
    }

    @Test
    void refusesAnAgentThatIsNotAMapping() {
        assertEquals(List.of("agents.support-bot: must be a mapping"),
                Contracts.errors("version: 1\nagents:\n  support-bot: acme\n"));
    }

    @Test
    void refusesAgentsThatAreNotAMapping() {
        assertEquals(List.of("agents: must be a mapping"), Contracts.errors("version: 1\nagents: [support-bot]\n"));
    }
}
