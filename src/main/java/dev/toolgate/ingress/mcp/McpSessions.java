package dev.toolgate.ingress.mcp;

import java.time.Duration;

import dev.toolgate.call.Principal;
import io.smallrye.mutiny.Uni;

/**
 * Which principal opened each MCP session. An upstream server names its sessions ({@code Mcp-Session-Id}); toolgate
 * binds each one to the principal whose {@code initialize} opened it, and refuses the id from anybody else, so that
 * a leaked session id is worth nothing to another agent. Only a digest of the id is kept.
 */
public interface McpSessions {

    /** What a presented session id is to the presenting principal. */
    enum Standing {
        /** Opened by this principal and not idle past its time to live; its time to live starts again. */
        OWNED,
        /** Unknown, expired, or opened by another principal: the three look alike to the caller. */
        NOT_FOUND
    }

    /** Binds a session the upstream just opened to the principal that opened it. */
    Uni<Void> bind(String server, String sessionId, Principal opener, Duration idleTtl);

    /** Checks a presented session id, and keeps it alive when the principal owns it. */
    Uni<Standing> check(String server, String sessionId, Principal presenter, Duration idleTtl);

    /** Forgets a session its owner ended. */
    Uni<Void> end(String server, String sessionId, Principal owner);

    /** The owner as kept: the agent and workflow (the tenant is part of where it is kept). */
    static String owner(Principal p) {
        return p.agent() + "\n" + p.workflow();
    }
}
