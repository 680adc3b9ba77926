package dev.toolgate.ingress.http;

import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The idempotency behaviour on the embedded store. */
@QuarkusTest
@WithTestResource(value = GatewayResource.class, initArgs = @ResourceArg(name = "store", value = "embedded"))
class EmbeddedIdempotencyGatewayTest extends IdempotencyGatewayTest {
}
