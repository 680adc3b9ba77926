package dev.toolgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.ToolCall;

class OpaEngineConcurrencyTest {

    private static final int CALLERS = 16;
    private static final int CALLS_EACH = 150;

    @Test
    void givesEveryConcurrentCallerTheDecisionForItsOwnInput() throws Exception {
        // given an engine with fewer instances than callers, and inputs that decide differently
        try (OpaEngine engine = Opa.bundledEngine(3, false)) {
            // outside Quarkus, Mutiny's context propagation initialises lazily and races when first used by many
            // threads at once (ContextManagerProvider already set); one call first, as Quarkus' boot would
            engine.evaluate(PolicyInput.of(Calls.refund(1), Calls.context())).await().atMost(Duration.ofSeconds(30));
            ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
            CountDownLatch start = new CountDownLatch(1);
            Set<String> workerThreads = ConcurrentHashMap.newKeySet();
            List<Future<Integer>> results = new ArrayList<>();

            // when every caller evaluates at once
            for (int c = 0; c < CALLERS; c++) {
                int caller = c;
                results.add(callers.submit(() -> {
                    start.await();
                    int correct = 0;
                    for (int i = 0; i < CALLS_EACH; i++) {
                        long amount = amountFor(caller, i);
                        String tenant = (caller + i) % 5 == 0 ? "globex" : "acme";
                        ToolCall call = Calls.refund("support-bot", "acme", Calls.json("{\"charge\": \"ch_1\"}")
                                .put("tenant", tenant).put("amount_usd_micros", amount));
                        JsonNode decision = engine.evaluate(PolicyInput.of(call, Calls.context()))
                                .invoke(() -> workerThreads.add(Thread.currentThread().getName()))
                                .await().atMost(Duration.ofSeconds(30));
                        assertEquals(expected(amount, tenant), decision, "caller " + caller + " call " + i);
                        correct++;
                    }
                    return correct;
                }));
            }
            start.countDown();

            // then
            int correct = 0;
            for (Future<Integer> result : results) {
                correct += result.get();
            }
            callers.shutdown();
            assertEquals(CALLERS * CALLS_EACH, correct);
            assertTrue(workerThreads.stream().allMatch(t -> t.startsWith("toolgate-policy-")), workerThreads.toString());
            assertTrue(workerThreads.size() <= 3, workerThreads.toString());
        }
    }

    private static long amountFor(int caller, int i) {
        long[] amounts = { 1, 50_000_000, 50_000_001, 1_000_000_000, 1_000_000_001, 7_000_000_000L };
        return amounts[(caller * 7 + i) % amounts.length];
    }

    /** The bundled policy's rules, restated. */
    private static JsonNode expected(long amount, String tenant) {
        String approval = amount > 1_000_000_000 ? "dual" : amount > 50_000_000 ? "required" : "none";
        String reason;
        if (!tenant.equals("acme")) {
            reason = "refund tenant \\\"" + tenant + "\\\" is not the caller's tenant \\\"acme\\\"";
        } else {
            reason = switch (approval) {
                case "dual" -> "refund above the dual-approval limit needs two approvers";
                case "required" -> "refund above the unattended limit needs approval";
                default -> "refund within the unattended limit";
            };
        }
        return Calls.json("{\"allow\": " + tenant.equals("acme") + ", \"reasons\": [\"" + reason
                + "\"], \"approval\": \"" + approval + "\", \"obligations\": {\"redact\": []}}");
    }
}
