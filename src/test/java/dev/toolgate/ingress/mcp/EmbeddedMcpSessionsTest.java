package dev.toolgate.ingress.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.toolgate.call.AuthMethod;
import dev.toolgate.call.Principal;
import dev.toolgate.ingress.mcp.McpSessions.Standing;

/** Session bindings in memory: owned by their opener only, renewed by use, gone after their idle time. */
class EmbeddedMcpSessionsTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Principal OPENER = new Principal("support-bot", "acme", "docs", List.of(), AuthMethod.API_KEY);
    private static final Principal SAME_TENANT = new Principal("reader-bot", "acme", "docs", List.of(),
            AuthMethod.API_KEY);
    private static final Principal OTHER_WORKFLOW = new Principal("support-bot", "acme", "billing", List.of(),
            AuthMethod.API_KEY);
    private static final Principal OTHER_TENANT = new Principal("support-bot", "globex", "docs", List.of(),
            AuthMethod.API_KEY);

    private final AtomicLong clock = new AtomicLong();
    private final EmbeddedMcpSessions sessions = new EmbeddedMcpSessions(clock::get);

    private Standing check(Principal who) {
        return sessions.check("docs", "s-1", who, TTL).await().indefinitely();
    }

    @Test
    void onlyTheOpenerOwnsASession() {
        sessions.bind("docs", "s-1", OPENER, TTL).await().indefinitely();
        assertEquals(Standing.OWNED, check(OPENER));
        assertEquals(Standing.NOT_FOUND, check(SAME_TENANT));
        assertEquals(Standing.NOT_FOUND, check(OTHER_WORKFLOW));
        assertEquals(Standing.NOT_FOUND, check(OTHER_TENANT));
        assertEquals(Standing.NOT_FOUND, sessions.check("wiki", "s-1", OPENER, TTL).await().indefinitely());
    }

    @Test
    void aSessionLivesAsLongAsItIsUsed() {
        sessions.bind("docs", "s-1", OPENER, TTL).await().indefinitely();
        clock.addAndGet(TTL.toNanos() - 1);
        assertEquals(Standing.OWNED, check(OPENER)); // renewed
        clock.addAndGet(TTL.toNanos() - 1);
        assertEquals(Standing.OWNED, check(OPENER));
        clock.addAndGet(TTL.toNanos());
        assertEquals(Standing.NOT_FOUND, check(OPENER));
    }

    @Test
    void aFailedHijackDoesNotKeepASessionAlive() {
        sessions.bind("docs", "s-1", OPENER, TTL).await().indefinitely();
        clock.addAndGet(TTL.toNanos() - 1);
        assertEquals(Standing.NOT_FOUND, check(SAME_TENANT));
        clock.addAndGet(2);
        assertEquals(Standing.NOT_FOUND, check(OPENER));
    }

    @Test
    void onlyTheOwnerEndsASession() {
        sessions.bind("docs", "s-1", OPENER, TTL).await().indefinitely();
        sessions.end("docs", "s-1", SAME_TENANT).await().indefinitely();
        assertEquals(Standing.OWNED, check(OPENER));
        sessions.end("docs", "s-1", OPENER).await().indefinitely();
        assertEquals(Standing.NOT_FOUND, check(OPENER));
    }

    @Test
    void expiredSessionsAreSweptAndNewOnesStillBind() {
        for (int i = 0; i < 100; i++) {
            sessions.bind("docs", "old-" + i, OPENER, TTL).await().indefinitely();
        }
        clock.addAndGet(Duration.ofHours(1).toNanos());
        sessions.bind("docs", "s-1", OPENER, TTL).await().indefinitely();
        assertEquals(Standing.OWNED, check(OPENER));
        assertEquals(Standing.NOT_FOUND, sessions.check("docs", "old-7", OPENER, TTL).await().indefinitely());
    }
}
