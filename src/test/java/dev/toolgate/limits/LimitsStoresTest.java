package dev.toolgate.limits;

import static dev.toolgate.limits.Calls.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.limits.LimitsStore.Reserved;
import dev.toolgate.testing.RedisServerExtension;
import io.vertx.core.Vertx;

class LimitsStoresTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final Vertx vertx = Vertx.vertx();
    private final LimitsStores stores = new LimitsStores();

    @AfterEach
    void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void usesTheEmbeddedStoreWithoutRedis() {
        // when
        LimitsStore store = stores.limitsStore(config(Optional.empty()), vertx);

        // then
        assertInstanceOf(EmbeddedLimitsStore.class, store);
    }

    @Test
    void loadsTheScriptsAtStartWhenRedisIsConfigured() {
        // given
        ToolgateConfig config = config(Optional.of(REDIS.url()));
        REDIS.server().command("SCRIPT", "FLUSH");
        LimitsStore store = stores.limitsStore(config, vertx);

        // when
        stores.start(null, store, config);

        // then
        assertInstanceOf(RedisLimitsStore.class, store);
        List<String> shas = RedisScripts.ALL.stream().map(RedisScripts.Script::sha).toList();
        assertEquals(List.of(1L, 1L, 1L, 1L), REDIS.server().command("SCRIPT", "EXISTS", shas.get(0), shas.get(1),
                shas.get(2), shas.get(3)));
        stores.close(store);
    }

    @Test
    void startsWhenRedisIsDownAndServesOnceItIsUp() {
        // given: nothing listens where Redis is configured
        REDIS.server().stop();
        ToolgateConfig config = config(Optional.of(REDIS.url()));
        LimitsStore store = stores.limitsStore(config, vertx);

        // when
        assertDoesNotThrow(() -> stores.start(null, store, config));
        REDIS.server().restart();
        Calls calls = new Calls();

        // then
        assertInstanceOf(Reserved.class,
                await(store.reserve(calls.reserve("r1", List.of(calls.budget("b", 1_000, 10))))));
        stores.close(store);
    }

    private static ToolgateConfig config(Optional<String> redis) {
        ToolgateConfig.Limits limits = (ToolgateConfig.Limits) Proxy.newProxyInstance(
                LimitsStoresTest.class.getClassLoader(), new Class<?>[] { ToolgateConfig.Limits.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "redis" -> redis;
                    case "timeout" -> Duration.ofSeconds(2);
                    case "lease" -> Duration.ofMinutes(5);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (ToolgateConfig) Proxy.newProxyInstance(LimitsStoresTest.class.getClassLoader(),
                new Class<?>[] { ToolgateConfig.class }, (proxy, method, args) -> {
                    if (method.getName().equals("limits")) {
                        return limits;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
