package dev.toolgate.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** SPIFFE IDs as the specification writes them, and the look-alikes that must never match one. */
class SpiffeIdTest {

    @Test
    void acceptsWorkloadIds() {
        assertTrue(SpiffeId.valid("spiffe://acme.test/ns/agents/sa/release-bot"));
        assertTrue(SpiffeId.valid("spiffe://prod-1.example.org/billing_v2/worker.3"));
        assertEquals("acme.test", SpiffeId.trustDomain("spiffe://acme.test/ns/agents/sa/release-bot"));
    }

    @Test
    void refusesWhatIsNotAWorkloadId() {
        for (String id : new String[] { null, "", "spiffe://acme.test", "spiffe://acme.test/", "spiffe://ACME.test/a",
                "spiffe://acme.test/a/", "spiffe://acme.test//a", "spiffe://acme.test/./a", "spiffe://acme.test/a/..",
                "spiffe://acme.test:443/a", "spiffe://user@acme.test/a", "spiffe://acme.test/a?x=1",
                "spiffe://acme.test/a#f", "spiffe://acme.test/a%2Fb", "SPIFFE://acme.test/a", "https://acme.test/a",
                "spiffe://acme.test/a b", "spiffe://acme.test/" + "a".repeat(2048) }) {
            assertFalse(SpiffeId.valid(id), String.valueOf(id));
        }
    }
}
