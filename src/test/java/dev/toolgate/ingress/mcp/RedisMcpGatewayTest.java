package dev.toolgate.ingress.mcp;

import dev.toolgate.testing.McpResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The MCP gateway on Redis: sessions, limits, approvals and idempotency records shared by every instance. */
@QuarkusTest
@WithTestResource(value = McpResource.class, initArgs = @ResourceArg(name = "store", value = "redis"))
class RedisMcpGatewayTest extends McpGatewayTest {
}
