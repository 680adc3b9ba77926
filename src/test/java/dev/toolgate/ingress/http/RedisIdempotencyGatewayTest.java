package dev.toolgate.ingress.http;

import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The idempotency behaviour on the Redis store. */
@QuarkusTest
@WithTestResource(value = GatewayResource.class, initArgs = @ResourceArg(name = "store", value = "redis"))
class RedisIdempotencyGatewayTest extends IdempotencyGatewayTest {
}
