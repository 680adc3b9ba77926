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
import dev.toolgate.store.RedisScript;
import dev.toolgate.store.SharedRedis;
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
        LimitsStore store = stores.limitsStore(redis(Optional.empty()));

        // then
        assertInstanceOf(EmbeddedLimitsStore.class, store);
    }

    @Test
    void loadsTheScriptsAtStartWhenRedisIsConfigured() {
        // given
        SharedRedis redis = redis(Optional.of(REDIS.url()));
        REDIS.server().command("SCRIPT", "FLUSH");
        LimitsStore store = stores.limitsStore(redis);

        // when
        stores.start(null, store, redis);

        // then
        assertInstanceOf(RedisLimitsStore.class, store);
        List<String> shas = RedisScripts.ALL.stream().map(RedisScript::sha).toList();
        assertEquals(List.of(1L, 1L, 1L, 1L), REDIS.server().command("SCRIPT", "EXISTS", shas.get(0), shas.get(1),
                shas.get(2), shas.get(3)));
        redis.close();
    }

    @Test
    void startsWhenRedisIsDownAndServesOnceItIsUp() {
        // given: nothing listens where Redis is configured
        REDIS.server().stop();
        SharedRedis redis = redis(Optional.of(REDIS.url()));
        LimitsStore store = stores.limitsStore(redis);

        // when
        assertDoesNotThrow(() -> stores.start(null, store, redis));
        REDIS.server().restart();
        Calls calls = new Calls();

        // then
        assertInstanceOf(Reserved.class,
                await(store.reserve(calls.reserve("r1", List.of(calls.budget("b", 1_000, 10))))));
        redis.close();
    }

    /** The shared connection as the application builds it from its configuration. */
    private SharedRedis redis(Optional<String> url) {
        ToolgateConfig config = (ToolgateConfig) Proxy.newProxyInstance(LimitsStoresTest.class.getClassLoader(),
                new Class<?>[] { ToolgateConfig.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "redis" -> url;
                    case "redisTimeout" -> Duration.ofSeconds(2);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new SharedRedis(config, vertx);
    }
}
