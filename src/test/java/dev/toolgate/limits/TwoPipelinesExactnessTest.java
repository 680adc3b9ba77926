package dev.toolgate.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.audit.FileAuditLog;
import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.AgentSpec;
import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.BudgetSpec;
import dev.toolgate.call.Contract;
import dev.toolgate.call.CostSpec;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.PathTemplate;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.Risk;
import dev.toolgate.call.Secret;
import dev.toolgate.call.Selector;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.store.RedisConnection;
import dev.toolgate.testing.RedisServerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Two independent limits stages (as two toolgate instances), each with its own Redis client, take 1,000 concurrent
 * calls against a tenant budget that admits exactly 250 of them: exactly 250 run, and spent is exactly 250 times the
 * cost, never a micro-dollar over.
 */
class TwoPipelinesExactnessTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final long COST = 40_000;
    static final int ADMITTED = 250;
    static final int CALLS = 1_000;

    @TempDir
    static Path dir;
    static Vertx vertx;
    static FileAuditLog audit;
    static RedisConnection firstConnection;
    static RedisConnection secondConnection;
    static RedisLimitsStore firstClient;
    static RedisLimitsStore secondClient;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        audit = new FileAuditLog(dir.resolve("audit.jsonl"), 256, Clock.systemUTC());
        firstConnection = new RedisConnection(vertx, REDIS.url(), Duration.ofSeconds(10));
        secondConnection = new RedisConnection(vertx, REDIS.url(), Duration.ofSeconds(10));
        firstClient = new RedisLimitsStore(firstConnection);
        secondClient = new RedisLimitsStore(secondConnection);
    }

    @AfterAll
    static void stop() {
        audit.close();
        firstConnection.close();
        secondConnection.close();
        vertx.close();
    }

    @Test
    void admitsExactlyWhatTheCapAllowsAcrossTwoPipelines() throws Exception {
        // given
        ActionSpec search = new ActionSpec("search", "POST", PathTemplate.parse("/search"), args -> List.of(),
                new CostSpec(COST, Optional.empty()), Optional.empty());
        ToolSpec tool = new ToolSpec("llm", URI.create("http://127.0.0.1:1"), Risk.LOW, true, List.of(),
                Duration.ofSeconds(1), Duration.ofSeconds(1), List.of(search));
        BudgetSpec monthly = new BudgetSpec("llm-monthly", Selector.ALL, BudgetSpec.Scope.TENANT, ADMITTED * COST,
                BudgetSpec.OverBudget.STOP);
        Contract contract = new Contract(Map.of("bot", new AgentSpec("bot", "exact", "", List.of(), List.of())),
                Map.of("llm", tool), Map.of("bot", Map.of("llm", Set.of("*"))), List.of(),
                JsonNodeFactory.instance.objectNode(), "test", List.of(), List.of(monthly));
        CallContext ctx = new CallContext(contract, "test");
        LimitsStage first = stage(firstClient);
        LimitsStage second = stage(secondClient);
        Principal bot = new Principal("bot", "exact", "", List.of(), AuthMethod.API_KEY);
        ObjectNode args = JsonNodeFactory.instance.objectNode();

        // when: 1,000 calls at once, alternating between the pipelines; each admitted one runs and settles at its cost
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Uni<Void>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            LimitsStage stage = i % 2 == 0 ? first : second;
            ToolCall call = ToolCall.received("call-" + i, Protocol.HTTP, "llm",
                    new Invocation("POST", "/search", Map.of(), new byte[0]), Secret.NONE, "", Mode.ENFORCE,
                    Instant.now()).withPrincipal(bot).withAction(ResolvedAction.of(tool, search, args, "exact"));
            calls.add(stage.apply(call, ctx).chain(result -> {
                if (result instanceof StageResult.Continue c && c.after().isPresent()) {
                    admitted.incrementAndGet();
                    return c.after().get().forwarded(c.call(), OptionalLong.of(COST), Optional.empty());
                }
                refused.incrementAndGet();
                return Uni.createFrom().voidItem();
            }));
        }
        Uni.join().all(calls).andFailFast().await().atMost(Duration.ofSeconds(120));

        // then
        assertEquals(ADMITTED, admitted.get());
        assertEquals(CALLS - ADMITTED, refused.get());
        LimitsStore.BudgetState state = firstClient.budget("exact", Keys.tenantBudget("exact", "llm-monthly",
                Instant.now())).await().atMost(Duration.ofSeconds(10));
        assertEquals(ADMITTED * COST, state.spentUsdMicros(), "spent is exactly K times the cost");
        assertEquals(0, state.reservedUsdMicros(), "every reservation settled");
        System.out.printf("limits exactness: %d of %d calls admitted across two pipelines, spent %d = %d x %d%n",
                admitted.get(), CALLS, state.spentUsdMicros(), ADMITTED, COST);
    }

    private static LimitsStage stage(LimitsStore store) {
        return new LimitsStage(store, new EmbeddedLimitsStore(), audit, new SimpleMeterRegistry(), Calls.limitsConfig(),
                Duration.ofSeconds(30), Clock.systemUTC());
    }

}
