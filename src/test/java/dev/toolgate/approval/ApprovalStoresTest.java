package dev.toolgate.approval;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.toolgate.call.ApprovalTier;
import dev.toolgate.store.RedisScript;
import dev.toolgate.store.SharedRedis;
import dev.toolgate.testing.RedisServerExtension;
import io.vertx.core.Vertx;

class ApprovalStoresTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final Vertx vertx = Vertx.vertx();
    private final ApprovalStores stores = new ApprovalStores();

    @AfterEach
    void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void usesTheEmbeddedStoreWithoutRedis() {
        // when
        ApprovalStore store = stores.approvalStore(new SharedRedis(Optional.empty(), Duration.ofSeconds(2), vertx));

        // then
        assertInstanceOf(EmbeddedApprovalStore.class, store);
    }

    @Test
    void loadsTheScriptsAtStartWhenRedisIsConfigured() {
        // given
        SharedRedis redis = new SharedRedis(Optional.of(REDIS.url()), Duration.ofSeconds(2), vertx);
        REDIS.server().command("SCRIPT", "FLUSH");
        ApprovalStore store = stores.approvalStore(redis);

        // when
        stores.start(null, store, redis);

        // then
        assertInstanceOf(RedisApprovalStore.class, store);
        for (RedisScript script : RedisApprovalStore.ALL) {
            assertEquals(List.of(1L), REDIS.server().command("SCRIPT", "EXISTS", script.sha()), script.name());
        }
        redis.close();
    }

    @Test
    void startsWhenRedisIsDownAndServesOnceItIsUp() {
        // given: nothing listens where Redis is configured
        REDIS.server().stop();
        SharedRedis redis = new SharedRedis(Optional.of(REDIS.url()), Duration.ofSeconds(2), vertx);
        ApprovalStore store = stores.approvalStore(redis);
        Requests requests = new Requests();

        // when
        assertDoesNotThrow(() -> stores.start(null, store, redis));
        REDIS.server().restart();
        ApprovalStore.Approval request = requests.request("payments", ApprovalTier.REQUIRED, false);
        Requests.await(store.open(request));

        // then
        assertEquals(Optional.of(request), Requests.await(store.get(requests.tenant, request.id())));
        redis.close();
    }
}
