package dev.toolgate.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/** The one reader of clients' JSON: what it refuses, and that its details name the problem, never a value. */
class StrictJsonTest {

    private static Denial refused(byte[] body) {
        StrictJson.Read read = StrictJson.STANDARD.read(body, "the body");
        Denial denial = assertInstanceOf(StrictJson.Read.Refused.class, read).denial();
        assertEquals(Reason.INVALID_ARGUMENTS, denial.reason());
        return denial;
    }

    private static Denial refused(String body) {
        return refused(body.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode read(String body) {
        return assertInstanceOf(StrictJson.Read.Ok.class,
                StrictJson.STANDARD.read(body.getBytes(StandardCharsets.UTF_8), "the body")).node();
    }

    /** {@code {"charge":"ch_1<bytes>"}} */
    private static byte[] withBytes(int... bytes) {
        byte[] head = "{\"charge\":\"ch_1".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + bytes.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        for (int i = 0; i < bytes.length; i++) {
            body[head.length + i] = (byte) bytes[i];
        }
        System.arraycopy(tail, 0, body, head.length + bytes.length, tail.length);
        return body;
    }

    @Test
    void readsOneJsonValueInUtf8() {
        assertEquals("caf\u00e9 \u20ac \uD83D\uDE00", read(" {\"note\": \"caf\u00e9 \u20ac \uD83D\uDE00\"}\r\n ").path("note")
                .asText());
    }

    @Test
    void refusesADuplicateMemberNamingItAndWhereItIs() {
        assertEquals("duplicate member \"amount\" in the body", refused("{\"amount\":1,\"amount\":2}").detail());
        assertEquals("duplicate member \"t\" in the body at /metadata",
                refused("{\"metadata\":{\"t\":\"a\",\"t\":\"b\"}}").detail());
    }

    @ParameterizedTest
    @ValueSource(strings = { "{} {}", "{}x", "{\"a\":1}]", "[1] 2", "\"a\" \"b\"", "{} //" })
    void refusesContentAfterTheValue(String body) {
        String detail = refused(body).detail();
        assertTrue(detail.startsWith("the body is not valid JSON (line 1, column ")
                && detail.endsWith("): content after its value"), detail);
    }

    @Test
    void refusesAnOverlongEncoding() {
        // C0 AF is an overlong "/": a lenient decoder reads it as a path separator
        assertEquals("the body is not valid UTF-8 (at byte offset 15)", refused(withBytes(0xC0, 0xAF)).detail());
        assertTrue(refused(withBytes(0xE0, 0x80, 0xAF)).detail().contains("not valid UTF-8"));
        assertTrue(refused(withBytes(0xF0, 0x80, 0x80, 0xAF)).detail().contains("not valid UTF-8"));
    }

    @Test
    void refusesEncodedSurrogatesAndOtherMalformedSequences() {
        assertTrue(refused(withBytes(0xED, 0xA0, 0x80)).detail().contains("not valid UTF-8"), "a lone surrogate");
        assertTrue(refused(withBytes(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80)).detail().contains("not valid UTF-8"),
                "CESU-8");
        assertTrue(refused(withBytes(0xF4, 0x90, 0x80, 0x80)).detail().contains("not valid UTF-8"), "past U+10FFFF");
        assertTrue(refused(withBytes(0xE2, 0x82)).detail().contains("not valid UTF-8"), "truncated");
        assertTrue(refused(withBytes(0x80)).detail().contains("not valid UTF-8"), "a lone continuation byte");
        assertTrue(refused(withBytes(0xFF)).detail().contains("not valid UTF-8"));
    }

    @Test
    void refusesAByteOrderMark() {
        byte[] body = "\uFEFF{}".getBytes(StandardCharsets.UTF_8);
        assertEquals("the body starts with a byte order mark: send UTF-8 without one", refused(body).detail());
    }

    @ParameterizedTest
    @ValueSource(strings = { "UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32LE", "UTF-32BE" })
    void refusesUtf16AndUtf32(String charset) {
        byte[] body = "{\"charge\":\"ch_1\"}".getBytes(Charset.forName(charset));
        String detail = refused(body).detail();
        assertTrue(detail.contains("UTF-16 or UTF-32"), detail);
    }

    @Test
    void refusesNestingDeeperThanTheLimit() {
        String deep = "[".repeat(StrictJson.MAX_DEPTH + 1) + "]".repeat(StrictJson.MAX_DEPTH + 1);
        assertEquals("the body nests deeper than 64 levels", refused(deep).detail());
        read("[".repeat(StrictJson.MAX_DEPTH) + "]".repeat(StrictJson.MAX_DEPTH));
    }

    @Test
    void refusesANumberBeyondTheDoubleRangeUnlessReadExactly() {
        assertEquals("the body has a number out of range", refused("{\"amount\":1e999}").detail());
        JsonNode exact = assertInstanceOf(StrictJson.Read.Ok.class,
                StrictJson.EXACT.read("{\"amount\":1e999}".getBytes(StandardCharsets.UTF_8), "the message")).node();
        assertEquals(new BigDecimal("1e999"), exact.path("amount").decimalValue());
    }

    @Test
    void refusesWhatIsNotJsonWithoutQuotingIt() {
        Denial denial = refused("{\"card\":\"4111111111111111\" \"cvv\":\"123\"}");
        assertTrue(denial.detail().startsWith("the body is not valid JSON (line 1, column "), denial.detail());
        assertFalse(denial.detail().contains("4111"), denial.detail());
        assertEquals("the body is empty", refused("  ").detail());
        assertTrue(refused("{'a':1}").detail().contains("not valid JSON"), "single quotes");
        assertTrue(refused("{\"a\":NaN}").detail().contains("not valid JSON"), "NaN");
        assertTrue(refused("{\"a\":\"tab\there\"}").detail().contains("not valid JSON"), "a raw control character");
    }

    @ParameterizedTest
    @ValueSource(strings = { "application/json", "application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\"",
            "application/problem+json", "application/vnd.acme.refund+json; version=2" })
    void acceptsJsonMediaTypes(String type) {
        assertEquals(Optional.empty(), StrictJson.mediaType(type));
    }

    @ParameterizedTest
    @ValueSource(strings = { "text/plain", "application/json; charset=utf-16", "application/json;charset=iso-8859-1",
            "application/jsonx", "application/json-seq", "text/json", "application/x-www-form-urlencoded", "",
            "application/+json", "multipart/form-data+json" })
    void refusesOtherMediaTypesWith415(String type) {
        Denial denial = StrictJson.mediaType(type).orElseThrow(() -> new AssertionError(type));
        assertEquals(Reason.UNSUPPORTED_MEDIA_TYPE, denial.reason());
        assertEquals(Reason.UNSUPPORTED_MEDIA_TYPE, StrictJson.mediaType(null).orElseThrow().reason());
    }
}
