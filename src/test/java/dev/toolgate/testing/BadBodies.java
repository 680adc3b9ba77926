package dev.toolgate.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bodies every API that reads a client's JSON must refuse, each made from one valid JSON object: a duplicate
 * member, content after the value, an overlong UTF-8 sequence ({@code C0 AF}, a disguised {@code /}), UTF-16, and a
 * media type that is not JSON or not UTF-8.
 */
public final class BadBodies {

    /** A body to send, and what the API must answer. */
    public record BadBody(String name, String contentType, byte[] bytes, int status, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    private BadBodies() {
    }

    /** The bad variants of {@code validObject}, a JSON object with at least one member. */
    public static List<BadBody> of(String validObject) {
        if (!validObject.startsWith("{\"")) {
            throw new IllegalArgumentException("a JSON object with a member: " + validObject);
        }
        String rest = validObject.substring(1);
        return List.of(
                new BadBody("duplicate member", "application/json", utf8("{\"x\":1,\"x\":2," + rest), 400,
                        "invalid_arguments"),
                new BadBody("trailing content", "application/json", utf8(validObject + " {}"), 400, "invalid_arguments"),
                new BadBody("overlong UTF-8 C0 AF", "application/json", overlong(rest), 400, "invalid_arguments"),
                new BadBody("UTF-16 body", "application/json", validObject.getBytes(StandardCharsets.UTF_16LE), 400,
                        "invalid_arguments"),
                new BadBody("text/plain media type", "text/plain", utf8(validObject), 415, "unsupported_media_type"),
                new BadBody("UTF-16 charset", "application/json; charset=utf-16",
                        validObject.getBytes(StandardCharsets.UTF_16), 415, "unsupported_media_type"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code {"x":"a<C0 AF>b", <rest>}} */
    private static byte[] overlong(String rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8("{\"x\":\"a"));
        out.write(0xC0);
        out.write(0xAF);
        out.writeBytes(utf8("b\"," + rest));
        return out.toByteArray();
    }
}
