package dev.toolgate.policy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.toolgate.testing.GatewayResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * A bundle served over HTTP: loaded at start from the URL, then asked for with {@code If-None-Match}, so that an
 * unchanged bundle is a {@code 304}; a new one (a new {@code ETag}) decides the next calls.
 */
@QuarkusTest
@TestProfile(BundleServerProfile.class)
@WithTestResource(GatewayResource.class)
class BundleUrlReloadGatewayTest {

    @TempDir
    Path dir;

    private static Response refund(long amount) {
        return given().header("Authorization", "Bearer demo-support-key").contentType("application/json")
                .body("{\"charge\":\"ch_1\",\"amount_usd_micros\":" + amount + ",\"tenant\":\"acme\"}")
                .post("/tools/payments/refunds");
    }

    @Test
    void anUnchangedBundleCostsA304AndANewOneDecidesTheNextCalls() throws Exception {
        // given the bundled policy, served over HTTP and loaded from there at start
        Response before = refund(20_000_000);
        before.then().statusCode(201);

        // then toolgate asks again with the ETag, and the unchanged bundle is not sent again
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> BundleServerProfile.NOT_MODIFIED.get() >= 3);
        int fullBefore = BundleServerProfile.FULL.get();

        // when the server has a new bundle under a new ETag
        String rego = Files.readString(Path.of("policies/decision.rego"))
                .replace("unattended_refund_limit := 50000000", "unattended_refund_limit := 10000000");
        BundleServerProfile.BUNDLE.set(Files.readAllBytes(Opa.build(dir, rego, "toolgate/decision")));
        BundleServerProfile.ETAG.set("\"v2\"");

        // then it is fetched and decides the next calls
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> refund(20_000_000).statusCode() == 403);
        assertNotEquals(before.header("Toolgate-Policy-Revision"),
                refund(20_000_000).header("Toolgate-Policy-Revision"));
        assertTrue(BundleServerProfile.FULL.get() > fullBefore);
    }
}
