package dev.toolgate.policy;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.styra.opa.wasm.OpaPolicy;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.Active;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Evaluates the policy bundle's {@value #ENTRYPOINT} entrypoint with the OPA Wasm SDK (Chicory).
 * <p>
 * One {@link OpaPolicy} instance is single-threaded, so the engine keeps a pool of them and a fixed set of worker
 * threads ({@code toolgate-policy-N}) of the same size; an evaluation borrows an instance for exactly its own duration.
 * An event loop that asks evaluates itself when an instance is idle and the Wasm is compiled (tens of microseconds,
 * cheaper than two thread hand-offs); otherwise, and for every other caller, a worker evaluates and the result comes
 * back on the caller's Vert.x context. An instance whose evaluation failed (a Wasm trap leaves its stack and heap
 * mid-call) is replaced by a fresh one, never reused.
 * <p>
 * The bundle loads at start ({@link Startup}): a missing bundle, one that is not Wasm, one without the entrypoint, or
 * one that needs a builtin the SDK does not provide (any {@code time.*}, {@code http.send}, ...) stops startup with a
 * message naming the file. The revision is then published to {@link Active}.
 */
@ApplicationScoped
@Startup
public class OpaEngine implements AutoCloseable {

    /** The entrypoint every toolgate policy bundle provides. */
    public static final String ENTRYPOINT = "toolgate/decision";

    private static final Logger LOG = Logger.getLogger(OpaEngine.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a worker waits for an instance; only reached when replacing failed instances failed too. */
    private static final long BORROW_TIMEOUT_SECONDS = 10;

    private final PolicyBundle bundle;
    private final byte[] wasm;
    private final boolean interpreter;
    private final boolean onEventLoop;
    private final int instances;
    private final BlockingQueue<OpaPolicy> idle;
    private final ExecutorService workers;

    @Inject
    OpaEngine(ToolgateConfig config, Active active) {
        // a native image cannot generate bytecode at run time: there the interpreter is the only choice
        this(PolicyBundle.load(config.policy().bundle(), BundleSignatures.configured(config)),
                config.policy().instances(),
                config.policy().interpreter() || io.quarkus.runtime.ImageMode.current().isNativeImage(),
                config.policy().onEventLoop());
        active.publishPolicyRevision(bundle.revision());
        LOG.infof("policy bundle %s loaded: revision %s, %d instances (%s%s)", bundle.source(), bundle.revision(),
                instances, interpreter ? "interpreter" : "compiled", onEventLoop ? ", on the event loops" : "");
    }

    private OpaEngine(PolicyBundle bundle, int instances, boolean interpreter, boolean onEventLoop) {
        if (instances < 0) {
            throw new IllegalArgumentException("toolgate.policy.instances must be 0 or more, not " + instances);
        }
        this.bundle = Objects.requireNonNull(bundle, "bundle");
        this.wasm = bundle.wasm();
        this.interpreter = interpreter;
        this.onEventLoop = onEventLoop && !interpreter;
        this.instances = instances == 0 ? Runtime.getRuntime().availableProcessors() : instances;
        this.idle = new ArrayBlockingQueue<>(this.instances);
        checkBuiltins();
        for (int i = 0; i < this.instances; i++) {
            idle.add(newInstance());
        }
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(this.instances, task -> {
            Thread t = new Thread(task, "toolgate-policy-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * An engine outside CDI (tests, offline tools). Close it when done.
     *
     * @param bundle the policy bundle
     * @param instances how many instances and worker threads; 0 means one per available processor
     * @param interpreter {@code true} for Chicory's interpreter, {@code false} to compile Wasm to JVM bytecode
     * @throws PolicyBundleException when the bundle cannot be instantiated, lacks the entrypoint or needs builtins the
     *         SDK does not provide
     */
    public static OpaEngine start(PolicyBundle bundle, int instances, boolean interpreter) {
        return new OpaEngine(bundle, instances, interpreter, true);
    }

    /**
     * An engine outside CDI whose event-loop callers evaluate themselves when they can ({@code onEventLoop}, the
     * gateway's default) or always hand over to a worker.
     */
    public static OpaEngine start(PolicyBundle bundle, int instances, boolean interpreter, boolean onEventLoop) {
        return new OpaEngine(bundle, instances, interpreter, onEventLoop);
    }

    /** The revision of the bundle this engine evaluates. */
    public String revision() {
        return bundle.revision();
    }

    /** How many instances (and worker threads) evaluate in parallel. */
    public int instances() {
        return instances;
    }

    /**
     * Evaluates the entrypoint for one input: on the calling event loop when it may (see the class comment), else on
     * a policy worker thread, the result then delivered back on the caller's Vert.x context.
     *
     * @return the entrypoint's {@code result} value, or a {@link MissingNode} when the result set is empty (the
     *         decision is undefined); a failed {@code Uni} when evaluation failed (a trap, an abort, a shut-down engine)
     */
    public Uni<JsonNode> evaluate(ObjectNode input) {
        Objects.requireNonNull(input, "input");
        return Uni.createFrom().deferred(() -> {
            OpaPolicy idlePolicy = onEventLoop && Context.isOnEventLoopThread() ? idle.poll() : null;
            if (idlePolicy == null) {
                return onWorker(input);
            }
            try {
                // a failed instance is replaced on a worker: compiling a fresh one takes far too long for an event loop
                return Uni.createFrom().item(evaluateWith(idlePolicy, JSON.writeValueAsString(input), true));
            } catch (Throwable fault) {
                return Uni.createFrom().failure(fault);
            }
        });
    }

    private Uni<JsonNode> onWorker(ObjectNode input) {
        return Uni.createFrom().emitter(emitter -> {
            Context caller = Vertx.currentContext();
            try {
                workers.execute(() -> {
                    JsonNode result;
                    try {
                        result = evaluateNow(input);
                    } catch (Throwable fault) {
                        deliver(caller, () -> emitter.fail(fault));
                        return;
                    }
                    deliver(caller, () -> emitter.complete(result));
                });
            } catch (RejectedExecutionException e) {
                emitter.fail(new IllegalStateException("the policy engine is shut down", e));
            }
        });
    }

    private static void deliver(Context caller, Runnable emission) {
        if (caller == null) {
            emission.run();
        } else {
            caller.runOnContext(ignored -> emission.run());
        }
    }

    private JsonNode evaluateNow(ObjectNode input) throws JsonProcessingException, InterruptedException {
        String json = JSON.writeValueAsString(input);
        OpaPolicy policy = idle.poll(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (policy == null) {
            throw new IllegalStateException("no policy instance available");
        }
        return evaluateWith(policy, json, false);
    }

    /**
     * Evaluates with a borrowed instance and gives it back, or a fresh one in its place when evaluation failed: made
     * right away, or on a worker when {@code replaceOnWorker}.
     */
    private JsonNode evaluateWith(OpaPolicy policy, String json, boolean replaceOnWorker)
            throws JsonProcessingException {
        String output;
        try {
            output = policy.evaluate(json);
        } catch (RuntimeException | Error fault) {
            if (replaceOnWorker) {
                try {
                    workers.execute(this::replaceFailedInstance);
                } catch (RejectedExecutionException shutDown) {
                    // the engine is closing: no instance is needed any more
                }
            } else {
                replaceFailedInstance();
            }
            throw fault;
        }
        idle.add(policy);
        return result(output);
    }

    private void replaceFailedInstance() {
        try {
            idle.add(newInstance());
        } catch (RuntimeException e) {
            LOG.warnf("could not replace a failed policy instance (%s); evaluating with one fewer",
                    e.getClass().getSimpleName());
            LOG.debug("policy instance replacement", e);
        }
    }

    /** The entrypoint's value in the SDK's result set {@code [{"result": …}]}. */
    private static JsonNode result(String output) throws JsonProcessingException {
        JsonNode set = JSON.readTree(output);
        if (set == null || !set.isArray() || set.isEmpty()) {
            return MissingNode.getInstance();
        }
        return set.get(0).path("result");
    }

    /** Refuses a module that imports builtins the SDK lacks: every evaluation reaching one would fail. */
    private void checkBuiltins() {
        Set<String> missing;
        try {
            missing = new TreeSet<>(WasmBuiltins.required(wasm));
        } catch (IOException | RuntimeException e) {
            throw new PolicyBundleException("policy bundle " + bundle.source() + ": /policy.wasm cannot be instantiated: "
                    + e.getMessage(), e);
        }
        missing.removeAll(WasmBuiltins.provided());
        if (!missing.isEmpty()) {
            String hint = missing.stream().anyMatch(name -> name.startsWith("time."))
                    ? " (read the time from input.context.time and input.context.clock)"
                    : "";
            throw new PolicyBundleException("policy bundle " + bundle.source()
                    + " needs builtins the OPA Wasm SDK does not provide: " + missing + hint);
        }
    }

    private OpaPolicy newInstance() {
        OpaPolicy policy;
        List<String> entrypoints;
        try {
            OpaPolicy.Builder builder = OpaPolicy.builder().withPolicy(wasm).withDefaultBuiltins(true);
            if (interpreter) {
                builder.disableCompiler();
            }
            policy = builder.build();
            policy.data(bundle.data());
            entrypoints = policy.entrypoints().keySet().stream().sorted().toList();
        } catch (RuntimeException e) {
            throw new PolicyBundleException("policy bundle " + bundle.source() + ": /policy.wasm cannot be instantiated: "
                    + e.getMessage(), e);
        }
        if (!entrypoints.contains(ENTRYPOINT)) {
            throw new PolicyBundleException("policy bundle " + bundle.source() + " has no entrypoint " + ENTRYPOINT
                    + " (it has " + entrypoints + "; build it with: opa build -t wasm -e " + ENTRYPOINT + " ...)");
        }
        return policy.entrypoint(ENTRYPOINT);
    }

    /** Stops the workers; evaluations asked for afterwards fail. */
    @PreDestroy
    @Override
    public void close() {
        workers.shutdownNow();
        idle.clear();
    }
}
