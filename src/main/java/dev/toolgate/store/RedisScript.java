package dev.toolgate.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One Lua script: its text as sent to Redis and that text's SHA-1, computed here so that {@code EVALSHA} needs no
 * earlier {@code SCRIPT LOAD} to have succeeded.
 *
 * @param name the file names it was read from, for messages
 * @param text the script
 * @param sha the SHA-1 of {@code text}, as Redis computes it
 */
public record RedisScript(String name, String text, String sha) {

    /**
     * Reads a script from classpath resources; several files are joined in order (a file of shared Lua functions
     * first, then the script that calls them).
     *
     * @throws IllegalStateException when a file is missing: a packaging bug
     */
    public static RedisScript fromClasspath(String... paths) {
        List<String> parts = new ArrayList<>();
        for (String path : paths) {
            try (InputStream in = RedisScript.class.getClassLoader().getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException("the Redis script " + path + " is not on the classpath");
                }
                parts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("could not read the Redis script " + path, e);
            }
        }
        String text = String.join("\n", parts);
        return new RedisScript(String.join("+", paths), text, sha1(text));
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this JVM", e);
        }
    }
}
