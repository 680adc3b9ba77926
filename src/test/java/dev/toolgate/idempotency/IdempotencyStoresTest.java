package dev.toolgate.idempotency;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.toolgate.store.RedisScript;
import dev.toolgate.store.SharedRedis;
import dev.toolgate.testing.RedisServerExtension;
import io.vertx.core.Vertx;

class IdempotencyStoresTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final Vertx vertx = Vertx.vertx();
    private final IdempotencyStores stores = new IdempotencyStores();

    @AfterEach
    void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void usesTheEmbeddedStoreWithoutRedis() {
        // when
        IdempotencyStore store = stores.idempotencyStore(new SharedRedis(Optional.empty(), Duration.ofSeconds(2),
                vertx));

        // then
        assertInstanceOf(EmbeddedIdempotencyStore.class, store);
    }

    @Test
    void loadsTheScriptsAtStartWhenRedisIsConfigured() {
        // given
        SharedRedis redis = new SharedRedis(Optional.of(REDIS.url()), Duration.ofSeconds(2), vertx);
        REDIS.server().command("SCRIPT", "FLUSH");
        IdempotencyStore store = stores.idempotencyStore(redis);

        // when
        stores.start(null, store, redis);

        // then
        assertInstanceOf(RedisIdempotencyStore.class, store);
        for (RedisScript script : RedisIdempotencyStore.ALL) {
            assertEquals(List.of(1L), REDIS.server().command("SCRIPT", "EXISTS", script.sha()), script.name());
        }
        redis.close();
    }

    @Test
    void startsWhenRedisIsDownAndServesOnceItIsUp() {
        // given: nothing listens where Redis is configured
        REDIS.server().stop();
        SharedRedis redis = new SharedRedis(Optional.of(REDIS.url()), Duration.ofSeconds(2), vertx);
        IdempotencyStore store = stores.idempotencyStore(redis);
        Records records = new Records();

        // when
        assertDoesNotThrow(() -> stores.start(null, store, redis));
        REDIS.server().restart();

        // then
        assertInstanceOf(IdempotencyStore.Begun.Started.class, Records.await(store.begin(records.tenant, records.key,
                Records.PAYLOAD, "d1", Records.LEASE, Records.now())));
        redis.close();
    }
}
