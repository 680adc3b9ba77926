package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.NOW;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** Where a caller continues once its record is durable: never on the writer thread. */
class AuditResumeTest {

    @TempDir
    Path dir;

    /** Holds the writer inside its first record until released, so the test subscribes before the commit. */
    private static final class GatedClock extends Clock {
        final CountDownLatch open = new CountDownLatch(1);

        @Override
        public Instant instant() {
            try {
                open.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return NOW;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void resumesOnTheCallersVertxContext() throws Exception {
        // given a caller on a Vert.x event loop, subscribed before the writer may commit
        Vertx vertx = Vertx.vertx();
        GatedClock clock = new GatedClock();
        try (FileAuditLog log = new FileAuditLog(dir.resolve("audit.jsonl"), 256, clock)) {
            Context context = vertx.getOrCreateContext();
            CompletableFuture<Context> resumedOn = new CompletableFuture<>();
            CountDownLatch subscribed = new CountDownLatch(1);
            context.runOnContext(ignored -> {
                log.intent(allowed("call-1"), "bundle-7").subscribe().with(
                        ok -> resumedOn.complete(Vertx.currentContext()), resumedOn::completeExceptionally);
                subscribed.countDown();
            });
            subscribed.await(10, TimeUnit.SECONDS);

            // when the record is committed
            clock.open.countDown();

            // then the caller continues on its own context
            assertSame(context, resumedOn.get(10, TimeUnit.SECONDS));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void resumesOffTheWriterThreadWithoutAVertxContext() throws Exception {
        // given a caller on a plain thread, subscribed before the writer may commit
        GatedClock clock = new GatedClock();
        try (FileAuditLog log = new FileAuditLog(dir.resolve("audit.jsonl"), 256, clock)) {
            CompletableFuture<String> resumedOn = new CompletableFuture<>();
            log.intent(allowed("call-1"), "bundle-7").subscribe().with(
                    ok -> resumedOn.complete(Thread.currentThread().getName()), resumedOn::completeExceptionally);

            // when the record is committed
            clock.open.countDown();

            // then the continuation does not hold up the writer
            assertNotEquals("toolgate-audit", resumedOn.get(10, TimeUnit.SECONDS));
        }
    }
}
