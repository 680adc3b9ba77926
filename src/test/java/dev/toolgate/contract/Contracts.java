package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.toolgate.call.Contract;

/** Test fixtures of src/test/resources/contract/ and short ways to load them. */
final class Contracts {

    private Contracts() {
    }

    static Path file(String name) {
        try {
            return Path.of(Contracts.class.getResource("/contract/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("no test contract " + name, e);
        }
    }

    static String text(String name) {
        try {
            return Files.readString(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Contract parse(String yaml) {
        return new ContractLoader().parse(yaml, "sha256:test");
    }

    /** The errors the loader reports for a contract that must be refused. */
    static List<String> errors(String yaml) {
        return assertThrows(ContractException.class, () -> parse(yaml)).errors();
    }

    /** A tool block that is valid, for tests about something else, indented to sit under {@code tools:}. */
    static String tool(String name) {
        return """
                  %s:
                    upstream: http://127.0.0.1:9101
                    risk: low
                    reversible: true
                    actions:
                      - name: items.get
                        method: GET
                        path: /items/{id}
                        schema: {type: object}
                """.formatted(name);
    }
}
