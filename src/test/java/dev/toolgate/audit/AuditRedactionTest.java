package dev.toolgate.audit;

import static dev.toolgate.audit.AuditFixtures.CLOCK;
import static dev.toolgate.audit.AuditFixtures.allowed;
import static dev.toolgate.audit.AuditFixtures.args;
import static dev.toolgate.audit.AuditFixtures.await;
import static dev.toolgate.audit.AuditFixtures.records;
import static dev.toolgate.audit.AuditFixtures.resolved;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.ApprovalTier;
import dev.toolgate.call.CanonicalJson;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;

/** What of the arguments a record keeps. */
class AuditRedactionTest {

    private static final String CARD = "4111111111111111";

    @TempDir
    Path dir;

    private ObjectNode intentOf(ToolCall call) throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog log = new FileAuditLog(file, 256, CLOCK)) {
            await(log.intent(call, "bundle-7"));
        }
        return records(file).get(0);
    }

    @Test
    void removesTopLevelAndNestedPointersButHashesTheFullArguments() throws Exception {
        // given arguments with a card number and nested personal data the policy wants redacted
        ObjectNode callArgs = args("""
                {"amount": 1200, "card_number": "%s",
                 "customer": {"email": "ann@example.com", "name": "Ann"},
                 "items": [{"sku": "A-1", "serial": "S-999"}, "gift-wrap-secret"],
                 "note": "call me"}""".formatted(CARD));
        ObjectNode untouched = callArgs.deepCopy();
        ToolCall call = allowed("dec-1", callArgs, ApprovalTier.NONE,
                List.of("/card_number", "/customer/email", "/items/0/serial", "/items/1", "note"));

        // when the intent is recorded
        ObjectNode record = intentOf(call);

        // then the named members are gone, the rest is kept, and the hash is still that of the full arguments
        assertEquals(args("""
                {"amount": 1200, "customer": {"name": "Ann"}, "items": [{"sku": "A-1"}, null]}"""),
                record.get("args"));
        assertEquals(CanonicalJson.sha256(untouched), record.get("args_sha256").textValue());
        assertNotEquals(CanonicalJson.sha256(record.get("args")), record.get("args_sha256").textValue());
        String written = Files.readString(dir.resolve("audit.jsonl"));
        for (String secret : List.of(CARD, "ann@example.com", "S-999", "gift-wrap-secret", "call me")) {
            assertFalse(written.contains(secret), secret + " leaked: " + written);
        }
        assertEquals(untouched, callArgs, "the call's arguments were mutated");
    }

    @Test
    void ignoresPathsThatDoNotExist() throws Exception {
        // given redactions naming members the arguments lack, and one through a scalar
        ObjectNode callArgs = args("{\"amount\": 5, \"customer\": {\"name\": \"Ann\"}}");
        ToolCall call = allowed("dec-2", callArgs, ApprovalTier.NONE,
                List.of("/card_number", "/customer/email/inner", "/amount/x", "/customer/9", "/list/0"));

        // when the intent is recorded
        ObjectNode record = intentOf(call);

        // then the arguments are kept whole
        assertEquals(callArgs, record.get("args"));
    }

    @Test
    void unescapesPointerTokens() throws Exception {
        // given member names with "/" and "~", addressed with RFC 6901 escapes
        ObjectNode callArgs = args("{\"a/b\": 1, \"t~x\": 2, \"keep\": 3}");
        ToolCall call = allowed("dec-3", callArgs, ApprovalTier.NONE, List.of("/a~1b", "/t~0x"));

        // when the intent is recorded
        ObjectNode record = intentOf(call);

        // then exactly those members are removed
        assertEquals(args("{\"keep\": 3}"), record.get("args"));
    }

    @Test
    void denialBeforePolicyKeepsOnlyTheHashOfTheArguments() throws Exception {
        // given a call resolved by the contract stage but denied before any policy decision
        ObjectNode callArgs = args("{\"amount\": 999999, \"card_number\": \"%s\"}".formatted(CARD));
        ToolCall call = resolved("dec-4", callArgs);

        // when the denial is recorded
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog log = new FileAuditLog(file, 256, CLOCK)) {
            await(log.denied(call, "bundle-7", Denial.of(Reason.INVALID_ARGUMENTS, "amount is above the maximum")));
        }

        // then the record has the hash but no arguments, and neither the arguments nor the raw body appear
        ObjectNode record = records(file).get(0);
        assertTrue(record.get("args").isNull(), record.toString());
        assertEquals(CanonicalJson.sha256(callArgs), record.get("args_sha256").textValue());
        assertEquals("invalid_arguments", record.get("reason").textValue());
        String written = Files.readString(file);
        assertFalse(written.contains(CARD), written);
        assertFalse(written.contains("999999"), written);
    }

    private static ToolCall decidedOn(String id, ObjectNode callArgs, List<String> redact) {
        ToolCall call = allowed(id, callArgs, ApprovalTier.NONE, redact);
        ObjectNode input = args("{\"principal\": {\"agent\": \"support-bot\", \"tenant\": \"acme\"},"
                + " \"context\": {\"environment\": \"prod\"}}");
        input.putObject("call").put("tool", "payments").set("args", callArgs);
        return call.withDecision(call.decision().orElseThrow().withInput(input));
    }

    @Test
    void keepsThePolicyInputWithRedactedValuesAsKeyedHashes() throws Exception {
        // given two calls with the same card number, decided on inputs the record keeps, and a configured key
        ObjectNode first = args("{\"amount\": 5, \"card_number\": \"%s\", \"cards\": [\"%s\"]}".formatted(CARD, CARD));
        ObjectNode second = args("{\"amount\": 7, \"card_number\": \"%s\"}".formatted(CARD));
        List<String> redact = List.of("/card_number", "/cards/0");
        Path file = dir.resolve("audit.jsonl");
        KeyedHash key = KeyedHash.of("k".repeat(32));

        // when both intents are recorded
        try (FileAuditLog log = new FileAuditLog(file, 256, CLOCK, java.time.Duration.ZERO, key)) {
            await(log.intent(decidedOn("dec-a", first, redact), "bundle-7"));
            await(log.intent(decidedOn("dec-b", second, redact), "bundle-7"));
        }
        List<ObjectNode> records = records(file);

        // then each keeps the input as the policy saw it, but the card only as the keyed hash, equal for equal values
        ObjectNode kept = (ObjectNode) records.get(0).get("input");
        assertEquals("payments", kept.path("call").path("tool").asText());
        assertEquals("prod", kept.path("context").path("environment").asText());
        assertEquals(5, kept.path("call").path("args").path("amount").intValue());
        String hashed = kept.path("call").path("args").path("card_number").asText();
        assertTrue(hashed.matches("hmac-sha256:[0-9a-f]{64}"), hashed);
        assertEquals(hashed, kept.path("call").path("args").path("cards").path(0).asText(), "same value, same hash");
        assertEquals(hashed, records.get(1).path("input").path("call").path("args").path("card_number").asText());
        assertEquals(key.apply(com.fasterxml.jackson.databind.node.TextNode.valueOf(CARD)).asText(), hashed);
        assertNotEquals(KeyedHash.of("other-key-".repeat(4)).apply(
                com.fasterxml.jackson.databind.node.TextNode.valueOf(CARD)).asText(), hashed, "the key matters");
        assertEquals(args("{\"allow\": true, \"reasons\": [\"refund within limits\"], \"approval\": \"none\","
                + " \"redact\": [\"/card_number\", \"/cards/0\"]}"), records.get(0).get("policy"));
        assertFalse(Files.readString(file).contains(CARD), "the card number leaked");
        assertEquals(CARD, first.path("card_number").asText(), "the call's arguments were mutated");
    }

    @Test
    void refusesAShortRedactionKey() {
        IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> KeyedHash.of("short"));
        assertTrue(refused.getMessage().contains("at least 32 bytes"), refused.getMessage());
    }
}
