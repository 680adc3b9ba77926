package dev.toolgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Uni;

/**
 * toolgate's in-process Wasm evaluation against the reference: the real {@code opa eval} over the Rego sources in
 * {@code policies/} that the build compiled into the bundle. ({@code opa eval -b} cannot evaluate a Wasm bundle with
 * an opa built without a Wasm engine, and the Rego that {@code opa build -t wasm} packages is only the residue left
 * after compiling the entrypoint; see {@code policies/README.md}.) Every input must get the identical decision, reasons'
 * text included. (OPA's Wasm {@code sprintf("%q")} does not escape as Go's does, which is why the bundled policy
 * quotes with {@code concat}; the corpus holds tenants with quotes, tabs, backslashes and U+2028 to keep it so.)
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PolicyParityTest {

    /** One evaluation of every input, in input order, as [index, decision] pairs. */
    private static final String BATCH_QUERY = "[[i, d] | some i, x in input; d := data.toolgate.decision with input as x]";

    @Test
    void wasmAndOpaEvalDecideEveryCorpusInputIdentically() throws Exception {
        // given
        List<ParityCorpus.Case> corpus = ParityCorpus.all();
        assertTrue(corpus.size() >= 60, "corpus has only " + corpus.size() + " inputs");
        Path bundle = Opa.builtBundle();

        // when
        List<JsonNode> inProcess = evaluateInProcess(bundle, corpus, false);
        List<JsonNode> reference = evaluateWithOpa(Path.of(System.getProperty("basedir", ".")).resolve("policies"), corpus);

        // then
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            JsonNode wasm = inProcess.get(i);
            JsonNode opa = reference.get(i);
            if (!wasm.equals(opa)) {
                disagreements.add(corpus.get(i).name() + ":\n  wasm:     " + wasm + "\n  opa eval: " + opa);
            }
        }
        System.out.printf("policy parity: %d/%d decisions agree%n", corpus.size() - disagreements.size(),
                corpus.size());
        assertEquals(List.of(), disagreements, String.join("\n", disagreements));
        // a corpus that always decided the same would prove little
        assertTrue(new HashSet<>(inProcess).size() >= 10, "too few distinct decisions: " + new HashSet<>(inProcess));
        assertFalse(inProcess.contains(MissingNode.getInstance()), "the bundled policy always decides");
    }

    /**
     * The native executable cannot compile Wasm to bytecode at run time, so it evaluates with Chicory's interpreter
     * (chosen by OpaEngine itself there): the interpreter must decide exactly as the compiler the JVM uses.
     */
    @Test
    void theInterpreterDecidesEveryCorpusInputAsTheCompilerDoes() {
        List<ParityCorpus.Case> corpus = ParityCorpus.all();
        Path bundle = Opa.builtBundle();
        List<JsonNode> compiled = evaluateInProcess(bundle, corpus, false);
        List<JsonNode> interpreted = evaluateInProcess(bundle, corpus, true);
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            if (!compiled.get(i).equals(interpreted.get(i))) {
                disagreements.add(corpus.get(i).name() + ":\n  compiled:    " + compiled.get(i)
                        + "\n  interpreted: " + interpreted.get(i));
            }
        }
        System.out.printf("interpreter parity: %d/%d decisions agree%n", corpus.size() - disagreements.size(),
                corpus.size());
        assertEquals(List.of(), disagreements, String.join("\n", disagreements));
        assertTrue(new HashSet<>(interpreted).size() >= 10, "too few distinct decisions");
    }

    private static List<JsonNode> evaluateInProcess(Path bundle, List<ParityCorpus.Case> corpus, boolean interpreter) {
        try (OpaEngine engine = OpaEngine.start(PolicyBundle.read(bundle), 2, interpreter)) {
            List<Uni<JsonNode>> evaluations = corpus.stream()
                    .map(c -> engine.evaluate((ObjectNode) c.input())).toList();
            List<JsonNode> decisions = new ArrayList<>();
            for (Uni<JsonNode> evaluation : evaluations) {
                decisions.add(evaluation.await().atMost(Duration.ofSeconds(30)));
            }
            return decisions;
        }
    }

    /**
     * One opa process for the whole corpus, over the Rego sources the bundle was built from, loaded as the build loads
     * them (tests and docs ignored).
     */
    private static List<JsonNode> evaluateWithOpa(Path policies, List<ParityCorpus.Case> corpus) throws Exception {
        assertTrue(Files.isRegularFile(policies.resolve("decision.rego")), "no Rego sources in " + policies);

        ArrayNode inputs = Calls.JSON.createArrayNode();
        corpus.forEach(c -> inputs.add(c.input()));
        String output = Opa.run(List.of("eval", "--format", "json", "-d", policies.toString(), "--ignore",
                "*_test.rego", "--ignore", "*.md", "--stdin-input",
                BATCH_QUERY), Calls.JSON.writeValueAsString(inputs));

        JsonNode pairs = Calls.JSON.readTree(output).at("/result/0/expressions/0/value");
        assertEquals(corpus.size(), pairs.size(), "opa eval decided only some inputs: " + output);
        Map<Integer, JsonNode> byIndex = new HashMap<>();
        pairs.forEach(pair -> byIndex.put(pair.get(0).intValue(), pair.get(1)));
        List<JsonNode> decisions = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            decisions.add(byIndex.getOrDefault(i, MissingNode.getInstance()));
        }
        return decisions;
    }
}
