package dev.toolgate.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** RFC 8785 canonical JSON and the payload hash built on it. */
class CanonicalJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesTheRfc8785Example() throws Exception {
        // RFC 8785, section 3.2.2
        String input = "{\"numbers\":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"
                + "\"string\":\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\"literals\":[null,true,false]}";
        String expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assertEquals(expected, CanonicalJson.write(JSON.readTree(input)));
    }

    @ParameterizedTest
    @CsvSource({ "0, 0", "-0.0, 0", "1, 1", "-1, -1", "100000000000000000000, 100000000000000000000",
            "1e21, 1e+21", "1e-7, 1e-7", "0.000001, 0.000001", "9007199254740991, 9007199254740991",
            "9007199254740993, 9007199254740992", "1.5, 1.5", "-2.5e-10, -2.5e-10" })
    void writesNumbersAsEcmaScriptDoes(String json, String canonical) throws Exception {
        assertEquals(canonical, CanonicalJson.write(JSON.readTree(json)));
    }

    @Test
    void sortsMembersByUtf16CodeUnits() throws Exception {
        // U+1F600 (a surrogate pair, D83D DE00) sorts before U+FB01 by code unit, after it by code point
        assertEquals("{\"\\r\":1,\"a\":2,\"😀\":4,\"ﬁ\":3}",
                CanonicalJson.write(JSON.readTree("{\"ﬁ\":3,\"a\":2,\"😀\":4,\"\\r\":1}")).replace("\r", "\\r"));
    }

    @Test
    void hashesTwoEncodingsOfOnePayloadAlike() throws Exception {
        ObjectNode a = (ObjectNode) JSON.readTree("{\"amount\": 1.0e2, \"charge\": \"ch_1\"}");
        ObjectNode b = (ObjectNode) JSON.readTree("{\"charge\":\"ch_1\",\"amount\":100}");
        assertEquals(CanonicalJson.sha256(a), CanonicalJson.sha256(b));
        assertEquals(ResolvedAction.payloadSha256("payments", "refunds.create", a, "acme"),
                ResolvedAction.payloadSha256("payments", "refunds.create", b, "acme"));
    }

    @Test
    void buildsThePayloadFormAsFullCanonicalisationWould() throws Exception {
        ObjectNode args = (ObjectNode) JSON.readTree("{\"z\": [1.0, {\"b\": 2, \"a\": \"\\u20ac\\n\"}], \"a\": null}");
        ObjectNode payload = JSON.createObjectNode();
        payload.put("tool", "pay\"ments");
        payload.put("action", "refunds.create");
        payload.set("args", args);
        payload.put("tenant", "acmé");
        assertEquals(CanonicalJson.sha256(payload),
                ResolvedAction.payloadSha256("pay\"ments", "refunds.create", args, "acmé"));
    }

    @Test
    void bindsThePayloadHashToToolActionArgumentsAndTenant() throws Exception {
        ObjectNode args = (ObjectNode) JSON.readTree("{\"amount_usd_micros\": 60000000}");
        ObjectNode oneMore = (ObjectNode) JSON.readTree("{\"amount_usd_micros\": 60000001}");
        String base = ResolvedAction.payloadSha256("payments", "refunds.create", args, "acme");
        assertNotEquals(base, ResolvedAction.payloadSha256("payments", "refunds.create", oneMore, "acme"));
        assertNotEquals(base, ResolvedAction.payloadSha256("payments", "refunds.create", args, "globex"));
        assertNotEquals(base, ResolvedAction.payloadSha256("payments", "charges.get", args, "acme"));
        assertNotEquals(base, ResolvedAction.payloadSha256("ledger", "refunds.create", args, "acme"));
        assertEquals(64, base.length());
    }
}
