package dev.toolgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

class OpaEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static OpaEngine compiled;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startEngine() {
        compiled = Opa.bundledEngine(2, false);
    }

    @AfterAll
    static void stopEngine() {
        compiled.close();
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = { false, true })
    void evaluatesTheBundledPolicyCompiledAndInterpreted(boolean interpreter) {
        // given
        try (OpaEngine engine = interpreter ? Opa.bundledEngine(1, true) : null) {
            OpaEngine subject = interpreter ? engine : compiled;
            ObjectNode input = PolicyInput.of(Calls.refund(50_000_001), Calls.context());

            // when
            JsonNode decision = subject.evaluate(input).await().atMost(WAIT);

            // then
            assertEquals(Calls.json("""
                    {"allow": true, "reasons": ["refund above the unattended limit needs approval"],
                     "approval": "required", "obligations": {"redact": []}}"""), decision);
        }
    }

    @Test
    void evaluatesOnAPolicyWorkerWhenTheCallerIsNoEventLoop() {
        // given
        ObjectNode input = PolicyInput.of(Calls.refund(1), Calls.context());
        AtomicReference<String> evaluatedOn = new AtomicReference<>();

        // when
        compiled.evaluate(input).invoke(() -> evaluatedOn.set(Thread.currentThread().getName())).await().atMost(WAIT);

        // then
        assertTrue(evaluatedOn.get().startsWith("toolgate-policy-"), evaluatedOn.get());
        assertNotEquals(Thread.currentThread().getName(), evaluatedOn.get());
    }

    @Test
    void deliversTheResultBackOnTheCallersVertxContext() throws Exception {
        // given an event loop that asks
        Vertx vertx = Vertx.vertx();
        try {
            Context eventLoop = vertx.getOrCreateContext();
            CompletableFuture<Context> deliveredOn = new CompletableFuture<>();
            CompletableFuture<String> askedOn = new CompletableFuture<>();

            // when
            eventLoop.runOnContext(ignored -> {
                askedOn.complete(Thread.currentThread().getName());
                compiled.evaluate(PolicyInput.of(Calls.refund(1), Calls.context())).subscribe().with(
                        decision -> deliveredOn.complete(Vertx.currentContext()), deliveredOn::completeExceptionally);
            });

            // then
            assertSame(eventLoop, deliveredOn.get(30, TimeUnit.SECONDS));
            assertTrue(askedOn.get().startsWith("vert.x-eventloop-thread-"), askedOn.get());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void evaluatesOnTheAskingEventLoopWhenAnInstanceIsIdle() throws Exception {
        // when an event loop asks the compiled engine
        Asked asked = askOnAnEventLoop(compiled, PolicyInput.of(Calls.refund(1), Calls.context()));

        // then it had the decision before its own callback returned: no worker, no hand-off
        assertTrue(asked.synchronous());
        assertTrue(asked.deliveredOnTheAskingContext());
        assertEquals(true, asked.decision().get("allow").asBoolean());
    }

    @Test
    void handsOverToAWorkerWhenToldNotToEvaluateOnEventLoops() throws Exception {
        try (OpaEngine engine = OpaEngine.start(PolicyBundle.read(Opa.builtBundle()), 1, false, false)) {
            // when
            Asked asked = askOnAnEventLoop(engine, PolicyInput.of(Calls.refund(1), Calls.context()));

            // then
            assertFalse(asked.synchronous());
            assertTrue(asked.deliveredOnTheAskingContext());
            assertEquals(true, asked.decision().get("allow").asBoolean());
        }
    }

    @Test
    void interpretedWasmNeverRunsOnAnEventLoop() throws Exception {
        try (OpaEngine engine = Opa.bundledEngine(1, true)) {
            // when
            Asked asked = askOnAnEventLoop(engine, PolicyInput.of(Calls.refund(1), Calls.context()));

            // then milliseconds of interpretation stay off the event loop
            assertFalse(asked.synchronous());
            assertTrue(asked.deliveredOnTheAskingContext());
        }
    }

    @Test
    void anInstanceThatFailsOnAnEventLoopIsReplacedOnAWorker() throws Exception {
        // given a policy whose decision conflicts for some inputs, on a single instance
        Path bundle = Opa.build(tmp, """
                package toolgate

                decision := {"allow": true} if input.a
                decision := {"allow": false} if input.b
                """, OpaEngine.ENTRYPOINT);

        try (OpaEngine engine = OpaEngine.start(PolicyBundle.read(bundle), 1, false)) {
            // when an event loop's evaluation fails, and the event loop asks again
            Asked failed = askOnAnEventLoop(engine, Calls.json("{\"a\": true, \"b\": true}"));
            Asked after = askOnAnEventLoop(engine, Calls.json("{\"b\": true}"));

            // then the failure is reported there, and the next call gets a fresh, working instance
            assertTrue(failed.synchronous());
            assertTrue(failed.fault() != null && failed.fault().getMessage() != null, String.valueOf(failed.fault()));
            assertEquals(Calls.json("{\"allow\": false}"), after.decision());
            assertTrue(after.deliveredOnTheAskingContext());
        }
    }

    /** What an event loop saw when it asked: whether the answer came within its callback, on which context, what. */
    private record Asked(boolean synchronous, boolean deliveredOnTheAskingContext, JsonNode decision,
            Throwable fault) {
    }

    private static Asked askOnAnEventLoop(OpaEngine engine, ObjectNode input) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Context eventLoop = vertx.getOrCreateContext();
            CompletableFuture<Boolean> synchronous = new CompletableFuture<>();
            CompletableFuture<Asked> asked = new CompletableFuture<>();
            eventLoop.runOnContext(ignored -> {
                engine.evaluate(input).subscribe().with(
                        decision -> asked.complete(new Asked(!synchronous.isDone(),
                                Vertx.currentContext() == eventLoop, decision, null)),
                        fault -> asked.complete(new Asked(!synchronous.isDone(),
                                Vertx.currentContext() == eventLoop, null, fault)));
                synchronous.complete(true);
            });
            return asked.get(30, TimeUnit.SECONDS);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void answersMissingWhenTheDecisionIsUndefined() throws Exception {
        // given a policy without a default decision
        Path bundle = Opa.build(tmp, """
                package toolgate

                decision := {"allow": true} if input.open == true
                """, OpaEngine.ENTRYPOINT);

        try (OpaEngine engine = OpaEngine.start(PolicyBundle.read(bundle), 1, false)) {
            // when
            JsonNode undefined = engine.evaluate(Calls.json("{\"open\": false}")).await().atMost(WAIT);
            JsonNode defined = engine.evaluate(Calls.json("{\"open\": true}")).await().atMost(WAIT);

            // then
            assertSame(MissingNode.getInstance(), undefined);
            assertEquals(Calls.json("{\"allow\": true}"), defined);
        }
    }

    @Test
    void refusesABundleWithoutTheDecisionEntrypoint() throws Exception {
        // given
        Path bundle = Opa.build(tmp, """
                package toolgate

                verdict := {"allow": true}
                """, "toolgate/verdict");

        // when
        PolicyBundleException e = assertThrows(PolicyBundleException.class,
                () -> OpaEngine.start(PolicyBundle.read(bundle), 1, false));

        // then
        assertEquals("policy bundle " + bundle + " has no entrypoint toolgate/decision (it has [toolgate/verdict]; "
                + "build it with: opa build -t wasm -e toolgate/decision ...)", e.getMessage());
    }

    @Test
    void refusesAPolicyThatNeedsABuiltinTheWasmSdkLacks() throws Exception {
        // given a policy that reads the clock itself instead of input.context.clock
        Path bundle = Opa.build(tmp, """
                package toolgate

                decision := {"allow": time.now_ns() > 0}
                """, OpaEngine.ENTRYPOINT);

        // when
        PolicyBundleException e = assertThrows(PolicyBundleException.class,
                () -> OpaEngine.start(PolicyBundle.read(bundle), 1, false));

        // then
        assertEquals("policy bundle " + bundle + " needs builtins the OPA Wasm SDK does not provide: [time.now_ns]"
                + " (read the time from input.context.time and input.context.clock)", e.getMessage());
    }

    @Test
    void acceptsAPolicyThatNeedsOnlyBuiltinsTheWasmSdkProvides() throws Exception {
        // given a policy calling a builtin the host (the SDK) implements, not the module
        Path bundle = Opa.build(tmp, """
                package toolgate

                decision := {"allow": yaml.unmarshal("a: 1") == {"a": 1}}
                """, OpaEngine.ENTRYPOINT);
        byte[] wasm = PolicyBundle.read(bundle).wasm();

        try (OpaEngine engine = OpaEngine.start(PolicyBundle.read(bundle), 1, false)) {
            // when
            JsonNode decision = engine.evaluate(Calls.json("{}")).await().atMost(WAIT);

            // then
            assertEquals(java.util.Set.of("yaml.unmarshal"), WasmBuiltins.required(wasm));
            assertEquals(Calls.json("{\"allow\": true}"), decision);
        }
    }

    @Test
    void failsAnEvaluationThatAbortsAndReplacesTheInstance() throws Exception {
        // given a policy whose decision conflicts for some inputs, on a single instance
        Path bundle = Opa.build(tmp, """
                package toolgate

                decision := {"allow": true} if input.a
                decision := {"allow": false} if input.b
                """, OpaEngine.ENTRYPOINT);

        try (OpaEngine engine = OpaEngine.start(PolicyBundle.read(bundle), 1, false)) {
            // when
            Throwable fault = assertThrows(RuntimeException.class,
                    () -> engine.evaluate(Calls.json("{\"a\": true, \"b\": true}")).await().atMost(WAIT));
            JsonNode after = engine.evaluate(Calls.json("{\"b\": true}")).await().atMost(WAIT);

            // then the failure is reported, and the next call gets a fresh, working instance
            assertTrue(fault.getMessage() != null && !fault.getMessage().isEmpty());
            assertEquals(Calls.json("{\"allow\": false}"), after);
        }
    }

    @Test
    void failsEvaluationsAfterClose() {
        // given
        OpaEngine engine = Opa.bundledEngine(1, true);
        engine.close();

        // when
        Throwable fault = assertThrows(IllegalStateException.class,
                () -> engine.evaluate(PolicyInput.of(Calls.refund(1), Calls.context())).await().atMost(WAIT));

        // then
        assertEquals("the policy engine is shut down", fault.getMessage());
    }

    @Test
    void usesOneInstancePerProcessorWhenToldZero() {
        try (OpaEngine engine = Opa.bundledEngine(0, true)) {
            assertEquals(Runtime.getRuntime().availableProcessors(), engine.instances());
        }
    }

    @Test
    void refusesANegativeInstanceCount() {
        PolicyBundle bundle = PolicyBundle.read(Opa.builtBundle());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpaEngine.start(bundle, -1, false));

        assertInstanceOf(IllegalArgumentException.class, e);
        assertEquals("toolgate.policy.instances must be 0 or more, not -1", e.getMessage());
    }
}
