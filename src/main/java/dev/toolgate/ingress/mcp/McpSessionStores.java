package dev.toolgate.ingress.mcp;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.toolgate.store.SharedRedis;

/** Chooses where MCP sessions are bound: Redis when {@code toolgate.redis} is set, this instance otherwise. */
@ApplicationScoped
public class McpSessionStores {

    @Produces
    @Singleton
    McpSessions mcpSessions(SharedRedis redis) {
        return redis.connection().<McpSessions> map(RedisMcpSessions::new).orElseGet(EmbeddedMcpSessions::new);
    }
}
