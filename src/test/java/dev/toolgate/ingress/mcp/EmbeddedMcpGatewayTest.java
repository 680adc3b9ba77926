package dev.toolgate.ingress.mcp;

import dev.toolgate.testing.McpResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The MCP gateway on the embedded stores. */
@QuarkusTest
@WithTestResource(McpResource.class)
class EmbeddedMcpGatewayTest extends McpGatewayTest {
}
