package dev.toolgate.cli;

import static dev.toolgate.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.toolgate.testing.Cli.Run;

/** {@code contract check} and {@code audit verify}: exit status and messages, without starting the server. */
class OfflineCommandsTest {

    @TempDir
    Path dir;

    @Test
    void contractCheckAcceptsTheDemoContract() {
        Run run = run("contract", "check", "examples/demo/contract.yaml");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("ok, 3 agents, 3 tools"), run.out());
    }

    @Test
    void contractCheckNamesEveryErrorByPathAndFails() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                version: 1
                agents: {}
                tools:
                  payments:
                    upstream: ftp://example
                    risk: high
                    reversible: true
                    actions:
                      - {name: a, method: GET, path: /a, schema: {type: object}}
                      - {name: b, method: GET, path: /b, schema: {type: object}}
                      - {name: c, method: GET, path: /c, schema: {type: object, properties: {x: {type: strng}}}}
                """);
        Run run = run("contract", "check", bad.toString());
        assertEquals(1, run.status());
        assertTrue(run.err().contains("tools.payments.upstream: must be an absolute http or https URL"), run.err());
        assertTrue(run.err().contains("tools.payments.actions[2].schema: unknown type \"strng\""), run.err());
    }

    @Test
    void auditVerifyAcceptsAnIntactChainAndNamesTheFirstBrokenRecord() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        List<String> lines = new ArrayList<>();
        String prev = "0".repeat(64);
        for (int seq = 1; seq <= 3; seq++) {
            String line = "{\"seq\":" + seq + ",\"type\":\"denied\",\"prev\":\"" + prev + "\"}";
            lines.add(line);
            prev = dev.toolgate.call.CanonicalJson.sha256Hex(line.getBytes(StandardCharsets.UTF_8));
        }
        Files.write(log, lines);
        Run intact = run("audit", "verify", log.toString());
        assertEquals(0, intact.status(), intact.err());
        assertTrue(intact.out().contains("ok, 3 records"), intact.out());

        lines.set(1, lines.get(1).replace("denied", "intent"));
        Files.write(log, lines);
        Run broken = run("audit", "verify", log.toString());
        assertEquals(1, broken.status());
        assertTrue(broken.err().contains("record 3 (line 3): prev does not match the SHA-256 of line 2"), broken.err());
    }
}
