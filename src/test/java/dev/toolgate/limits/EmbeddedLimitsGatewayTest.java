package dev.toolgate.limits;

import dev.toolgate.testing.LimitsResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The limits behaviour on the embedded store (no Redis configured). */
@QuarkusTest
@WithTestResource(value = LimitsResource.class, initArgs = @ResourceArg(name = "store", value = "embedded"))
class EmbeddedLimitsGatewayTest extends LimitsGatewayTest {
}
