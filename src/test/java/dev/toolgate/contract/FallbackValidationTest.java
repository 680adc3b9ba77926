package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.toolgate.call.Fallback;

/** An action's {@code fallback}: another existing action, or a dry run. */
class FallbackValidationTest {

    /** A models tool whose first action has the given fallback; a search tool follows it. */
    private static String models(String fallback) {
        return """
                version: 1
                tools:
                  models:
                    upstream: http://127.0.0.1:9101
                    risk: medium
                    reversible: true
                    actions:
                      - name: large.complete
                        method: POST
                        path: /large
                        schema: {type: object}
                        fallback: %s
                      - {name: small.complete, method: POST, path: /small, schema: {type: object}}
                """.formatted(fallback) + Contracts.tool("search");
    }

    private static Optional<Fallback> fallback(String fallback) {
        return Contracts.parse(models(fallback)).tool("models").flatMap(t -> t.action("large.complete"))
                .orElseThrow().fallback();
    }

    @Test
    void readsAFallbackToAnotherActionOfThisOrAnotherTool() {
        assertEquals(Optional.of(new Fallback.ToAction("models", "small.complete")),
                fallback("{tool: models, action: small.complete}"));
        assertEquals(Optional.of(new Fallback.ToAction("search", "items.get")),
                fallback("{tool: search, action: items.get}"));
    }

    @Test
    void readsADryRunFallback() {
        assertEquals(Optional.of(new Fallback.DryRun()), fallback("{dry_run: true}"));
    }

    @Test
    void refusesAFallbackToAnUnknownTool() {
        assertEquals(List.of("tools.models.actions[0].fallback.tool: unknown tool \"cache\""),
                Contracts.errors(models("{tool: cache, action: small.complete}")));
    }

    @Test
    void refusesAFallbackToAnUnknownAction() {
        assertEquals(List.of("tools.models.actions[0].fallback.action: unknown action \"small.complete\" of tool "
                + "\"search\""), Contracts.errors(models("{tool: search, action: small.complete}")));
    }

    @Test
    void refusesAFallbackToTheActionItself() {
        assertEquals(List.of("tools.models.actions[0].fallback: must not be the action itself"),
                Contracts.errors(models("{tool: models, action: large.complete}")));
    }

    @Test
    void requiresToolAndActionOfAFallbackToAnAction() {
        assertEquals(List.of("tools.models.actions[0].fallback.tool: is required"),
                Contracts.errors(models("{action: small.complete}")));
        assertEquals(List.of("tools.models.actions[0].fallback.tool: is required",
                "tools.models.actions[0].fallback.action: is required"), Contracts.errors(models("{}")));
    }

    @Test
    void refusesADryRunThatIsNotTrue() {
        assertEquals(List.of("tools.models.actions[0].fallback.dry_run: must be true (leave the fallback out for none)"),
                Contracts.errors(models("{dry_run: false}")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "yes", "\"true\"", "1" })
    void refusesADryRunThatIsNotABoolean(String value) {
        assertEquals(List.of("tools.models.actions[0].fallback.dry_run: must be true or false"),
                Contracts.errors(models("{dry_run: " + value + "}")));
    }

    @Test
    void refusesADryRunTogetherWithAnAction() {
        assertEquals(List.of("tools.models.actions[0].fallback: must be either {tool, action} or {dry_run: true}, not both"),
                Contracts.errors(models("{dry_run: true, tool: models, action: small.complete}")));
    }

    @Test
    void refusesUnknownKeysAndAFallbackThatIsNotAMapping() {
        assertEquals(List.of("tools.models.actions[0].fallback.dryrun: unknown key (known: tool, action, dry_run)",
                "tools.models.actions[0].fallback.tool: is required",
                "tools.models.actions[0].fallback.action: is required"),
                Contracts.errors(models("{dryrun: true}")));
        assertEquals(List.of("tools.models.actions[0].fallback: must be a mapping"),
                Contracts.errors(models("small.complete")));
    }

    @Test
    void aFallbackToADeclaredButInvalidActionIsNotReportedAgain() {
        // given: the target action has one mistake
        String yaml = models("{tool: models, action: small.complete}").replace("path: /small", "path: small");

        // when / then: reported once, where it is
        assertEquals(List.of("tools.models.actions[1].path: must start with \"/\""), Contracts.errors(yaml));
    }
}
