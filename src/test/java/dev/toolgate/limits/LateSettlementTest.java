package dev.toolgate.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

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
import dev.toolgate.testing.RedisServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

/**
 * A call the tool answered while Redis was down: its settle fails, and is tried again in the background, so that once
 * Redis is back (with its data) within the reservation's lease the spend is counted and nothing stays reserved.
 */
class LateSettlementTest {

    static final long COST = 40_000;

    @TempDir
    static Path dir;
    static RedisServer redis;
    static Vertx vertx;
    static FileAuditLog audit;
    static RedisConnection connection;

    @BeforeAll
    static void start() {
        redis = RedisServer.startPersistent(dir.resolve("redis"));
        vertx = Vertx.vertx();
        audit = new FileAuditLog(dir.resolve("audit.jsonl"), 256, Clock.systemUTC());
        connection = new RedisConnection(vertx, redis.url(), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        audit.close();
        connection.close();
        vertx.close();
        redis.close();
    }

    @Test
    void aSettleThatFailedWhileRedisWasDownIsTakenWhenRedisIsBack() {
        // given: an admitted call
        ActionSpec search = new ActionSpec("search", "POST", PathTemplate.parse("/search"), args -> List.of(),
                new CostSpec(COST, Optional.empty()), Optional.empty());
        ToolSpec tool = new ToolSpec("llm", URI.create("http://127.0.0.1:1"), Risk.LOW, true, List.of(),
                Duration.ofSeconds(1), Duration.ofSeconds(1), List.of(search));
        BudgetSpec monthly = new BudgetSpec("llm-monthly", Selector.ALL, BudgetSpec.Scope.TENANT, 100 * COST,
                BudgetSpec.OverBudget.STOP);
        Contract contract = new Contract(Map.of("bot", new AgentSpec("bot", "late", "", List.of(), List.of())),
                Map.of("llm", tool), Map.of("bot", Map.of("llm", Set.of("*"))), List.of(),
                JsonNodeFactory.instance.objectNode(), "test", List.of(), List.of(monthly));
        RedisLimitsStore store = new RedisLimitsStore(connection);
        LimitsStage stage = new LimitsStage(store, new EmbeddedLimitsStore(), audit, new SimpleMeterRegistry(),
                Calls.limitsConfig(), Duration.ofSeconds(5), Clock.systemUTC());
        ToolCall call = ToolCall.received("late-1", Protocol.HTTP, "llm",
                new Invocation("POST", "/search", Map.of(), new byte[0]), Secret.NONE, "", Mode.ENFORCE, Instant.now())
                .withPrincipal(new Principal("bot", "late", "", List.of(), AuthMethod.API_KEY))
                .withAction(ResolvedAction.of(tool, search, JsonNodeFactory.instance.objectNode(), "late"));
        StageResult result = stage.apply(call, new CallContext(contract, "test")).await().atMost(Duration.ofSeconds(10));
        StageResult.Continue admitted = assertInstanceOf(StageResult.Continue.class, result, result.toString());
        String ledger = Keys.tenantBudget("late", "llm-monthly", Instant.now());

        // when: the tool answered, but Redis is gone when the call settles; it comes back with its data
        redis.stop();
        try {
            assertThrows(RuntimeException.class, () -> admitted.after().orElseThrow()
                    .forwarded(admitted.call(), OptionalLong.of(COST), Optional.empty())
                    .await().atMost(Duration.ofSeconds(10)));
        } finally {
            redis.restart();
        }

        // then
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(
                () -> store.budget("late", ledger).await().atMost(Duration.ofSeconds(5)).spentUsdMicros() == COST);
        assertEquals(0, store.budget("late", ledger).await().atMost(Duration.ofSeconds(5)).reservedUsdMicros());
    }

}
