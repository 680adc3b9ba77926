package dev.toolgate.call;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one reader of the JSON a client sends toolgate: tool-call bodies, check and report documents, approval decisions,
 * admin requests and MCP messages. What it accepts, every reader accepts, so that toolgate and a tool can never read one
 * body two ways:
 * <ol>
 * <li>the media type is {@code application/json} or {@code application/*+json}, its charset absent or {@code utf-8}
 * ({@link #mediaType}; otherwise 415 {@code unsupported_media_type});</li>
 * <li>the bytes are UTF-8, strictly: no malformed, overlong or surrogate-encoded sequence, no byte order mark, no NUL
 * byte (which is how UTF-16 and UTF-32 bodies show);</li>
 * <li>one JSON value and nothing after it but whitespace; no member twice in an object; no deeper than
 * {@value #MAX_DEPTH} levels; no number that does not fit a double (in {@link Fractions#DOUBLE}).</li>
 * </ol>
 * A refusal is an {@code invalid_arguments} denial whose detail names what is wrong and where (a byte offset, a line
 * and column, a member name and its JSON pointer), never a value of the body. Thread-safe.
 */
public final class StrictJson {

    /** Deeper documents are refused: no body needs them, and every layer costs stack in validation. */
    public static final int MAX_DEPTH = 64;

    /** How numbers with a fraction or an exponent are read. */
    public enum Fractions {
        /** As doubles; a number beyond the double range is refused. */
        DOUBLE,
        /** As exact decimals, so that nothing a client sends is rounded before it is passed on. */
        BIG_DECIMAL
    }

    /** A body read: the JSON value, or why it is refused. */
    public sealed interface Read permits Read.Ok, Read.Refused {

        /** The body's one JSON value. */
        record Ok(JsonNode node) implements Read {
            public Ok {
                Objects.requireNonNull(node, "node");
            }
        }

        /**
         * The body is refused: the denial names what is wrong ({@code invalid_arguments} from {@link #read},
         * {@code unsupported_media_type} when a caller refuses its media type).
         */
        record Refused(Denial denial) implements Read {
            public Refused {
                Objects.requireNonNull(denial, "denial");
            }
        }
    }

    /** Reads fractions as doubles: tool-call bodies, check, report, approvals, admin. */
    public static final StrictJson STANDARD = new StrictJson(Fractions.DOUBLE);
    /** Reads fractions as exact decimals: MCP messages, passed on as sent. */
    public static final StrictJson EXACT = new StrictJson(Fractions.BIG_DECIMAL);

    private final ObjectMapper mapper;
    private final Fractions fractions;

    private StrictJson(Fractions fractions) {
        this.fractions = fractions;
        JsonMapper.Builder builder = JsonMapper.builder(JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                .build());
        // trailing content is looked for by read() itself, to name it
        if (fractions == Fractions.BIG_DECIMAL) {
            builder.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        }
        this.mapper = builder.build();
    }

    /** The mapper this reader parses with (to build and write documents of the same kind; never to read a body). */
    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * Reads a body.
     *
     * @param body the bytes as received
     * @param what how details name the document, e.g. {@code "the body"}
     */
    public Read read(byte[] body, String what) {
        Optional<String> encoding = encodingProblem(body);
        if (encoding.isPresent()) {
            return refused(what + " " + encoding.get());
        }
        String text = new String(body, StandardCharsets.UTF_8);
        try (JsonParser parser = mapper.createParser(text)) {
            JsonNode node = mapper.readTree(parser);
            if (node == null || node.isMissingNode()) {
                return refused(what + " is empty");
            }
            if (trailing(parser)) {
                return refused(what + " is not valid JSON" + at(parser.currentLocation()) + ": content after its value");
            }
            if (fractions == Fractions.DOUBLE && !finite(node)) {
                return refused(what + " has a number out of range");
            }
            return new Read.Ok(node);
        } catch (IOException e) {
            return refused(unreadable(e, what));
        }
    }

    /**
     * Why a request's {@code Content-Type} does not announce JSON in UTF-8: empty when it does. The refusal is 415
     * {@code unsupported_media_type}; it does not repeat the header's value.
     */
    public static Optional<Denial> mediaType(String contentType) {
        String expected = "send it as application/json (or application/*+json), charset utf-8 or none";
        if (contentType == null || contentType.isBlank()) {
            return Optional.of(Denial.of(Reason.UNSUPPORTED_MEDIA_TYPE, "the body has no Content-Type: " + expected));
        }
        String[] parts = contentType.split(";", -1);
        String media = parts[0].strip().toLowerCase(Locale.ROOT);
        if (!(media.equals("application/json") || media.matches("application/[a-z0-9!#$&^_.-]+\\+json"))) {
            return Optional.of(Denial.of(Reason.UNSUPPORTED_MEDIA_TYPE, "the body is not JSON: " + expected));
        }
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter[0].strip().equalsIgnoreCase("charset")) {
                String charset = parameter.length < 2 ? "" : parameter[1].strip().replaceAll("^\"|\"$", "");
                if (!charset.equalsIgnoreCase("utf-8")) {
                    return Optional.of(Denial.of(Reason.UNSUPPORTED_MEDIA_TYPE,
                            "JSON is read as UTF-8 only: " + expected));
                }
            }
        }
        return Optional.empty();
    }

    /** What makes the bytes other than plain UTF-8, or empty. */
    private static Optional<String> encodingProblem(byte[] body) {
        if (body.length >= 2 && (body[0] == (byte) 0xFE && body[1] == (byte) 0xFF
                || body[0] == (byte) 0xFF && body[1] == (byte) 0xFE)) {
            return Optional.of("is UTF-16 or UTF-32 (it starts with a byte order mark): send UTF-8");
        }
        if (body.length >= 3 && body[0] == (byte) 0xEF && body[1] == (byte) 0xBB && body[2] == (byte) 0xBF) {
            return Optional.of("starts with a byte order mark: send UTF-8 without one");
        }
        for (int i = 0; i < body.length; i++) {
            if (body[i] == 0) {
                // JSON in UTF-8 has no NUL byte anywhere (in a string it is escaped); UTF-16 and UTF-32 text has many
                return Optional.of("has a NUL byte at offset " + i + " (UTF-16 or UTF-32?): send UTF-8");
            }
        }
        // the JDK's decoder refuses overlong forms (C0 AF), encoded surrogates (ED A0 80) and code points past U+10FFFF
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(Math.min(body.length, 8192));
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return Optional.of("is not valid UTF-8 (at byte offset " + in.position() + ")");
            }
            if (result.isUnderflow()) {
                return Optional.empty();
            }
            out.clear();
        }
    }

    private static boolean trailing(JsonParser parser) {
        try {
            return parser.nextToken() != null;
        } catch (IOException e) {
            return true;
        }
    }

    private static String unreadable(IOException e, String what) {
        if (e instanceof StreamConstraintsException) {
            return what + " nests deeper than " + MAX_DEPTH + " levels";
        }
        if (e instanceof JsonProcessingException json && json.getProcessor() instanceof JsonParser parser
                && String.valueOf(json.getOriginalMessage()).startsWith("Duplicate field")) {
            JsonStreamContext object = parser.getParsingContext();
            String in = object.getParent() == null || object.getParent().inRoot() ? ""
                    : " at " + object.getParent().pathAsPointer();
            return "duplicate member \"" + object.getCurrentName() + "\" in " + what + in;
        }
        // the parser's own message may quote the body, which holds arguments: only the place is named
        return what + " is not valid JSON" + at(e instanceof JsonProcessingException json ? json.getLocation() : null);
    }

    private static String at(JsonLocation location) {
        return location == null ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static boolean finite(JsonNode node) {
        if (node.isNumber()) {
            return !node.isFloatingPointNumber() || Double.isFinite(node.doubleValue());
        }
        for (JsonNode child : node) {
            if (!finite(child)) {
                return false;
            }
        }
        return true;
    }

    private static Read refused(String detail) {
        return new Read.Refused(Denial.of(Reason.INVALID_ARGUMENTS, detail));
    }
}
