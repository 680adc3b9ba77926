package dev.toolgate.contract;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits a raw (percent-encoded) call path into decoded segments, refusing every path that an upstream could read as
 * another path: dot segments (also encoded, and {@code ..;x} which some servers read as {@code ..}), empty segments,
 * encoded {@code /} or {@code \}, backslashes, control characters, and malformed percent-encoding or UTF-8. A refused
 * path is never normalised into an accepted one.
 *
 * @param segments the decoded segments; {@code /} alone is one empty segment, as in a {@code /} template
 * @param problem why the path is refused, or empty
 */
record SafePath(List<String> segments, Optional<String> problem) {

    static SafePath of(String raw) {
        if (!raw.startsWith("/")) {
            return refused("the path must start with \"/\"");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isISOControl(c)) {
                return refused("the path has a control character");
            }
            if (c == '\\') {
                return refused("the path has a backslash");
            }
        }
        String[] rawSegments = raw.substring(1).split("/", -1);
        List<String> segments = new ArrayList<>(rawSegments.length);
        for (String rawSegment : rawSegments) {
            if (rawSegment.isEmpty() && raw.length() > 1) {
                return refused("the path has an empty segment");
            }
            Optional<String> decoded = decode(rawSegment);
            if (decoded.isEmpty()) {
                return refused("the path has malformed percent-encoding");
            }
            String segment = decoded.get();
            if (segment.indexOf('/') >= 0 || segment.indexOf('\\') >= 0) {
                return refused("the path has an encoded \"/\" or \"\\\"");
            }
            if (segment.chars().anyMatch(Character::isISOControl)) {
                return refused("the path has a control character");
            }
            String beforeParameters = segment.split(";", -1)[0];
            if (beforeParameters.equals(".") || beforeParameters.equals("..")) {
                return refused("the path has a dot segment");
            }
            segments.add(segment);
        }
        return new SafePath(List.copyOf(segments), Optional.empty());
    }

    private static SafePath refused(String problem) {
        return new SafePath(List.of(), Optional.of(problem));
    }

    /** Percent-decodes one segment as UTF-8; empty when an escape or the UTF-8 it spells is malformed. */
    private static Optional<String> decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return Optional.of(segment);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        int literal = 0;
        for (int i = segment.indexOf('%'); i >= 0; i = segment.indexOf('%', literal)) {
            // literal characters pass as their UTF-8 (the ingress may hand over non-ASCII unencoded)
            bytes.writeBytes(segment.substring(literal, i).getBytes(StandardCharsets.UTF_8));
            int high = i + 1 < segment.length() ? hex(segment.charAt(i + 1)) : -1;
            int low = i + 2 < segment.length() ? hex(segment.charAt(i + 2)) : -1;
            if (high < 0 || low < 0) {
                return Optional.empty();
            }
            bytes.write(high << 4 | low);
            literal = i + 3;
        }
        bytes.writeBytes(segment.substring(literal).getBytes(StandardCharsets.UTF_8));
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The value of an ASCII hex digit, or -1 ({@link Character#digit} would also take other scripts' digits). */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
