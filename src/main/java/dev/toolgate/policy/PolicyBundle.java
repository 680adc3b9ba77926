package dev.toolgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.call.CanonicalJson;

/**
 * A policy bundle as {@code opa build -t wasm} writes it: a {@code .tar.gz} holding {@code /policy.wasm}, the data
 * document {@code /data.json} and a {@code /.manifest}. Immutable.
 *
 * @param source where the bundle was read from (a file path or {@code classpath:…}), for messages
 * @param wasm the compiled policy module
 * @param data the data document (a JSON object); {@code {}} when the bundle has none
 * @param revision the manifest's {@code revision} when it is not empty, else {@code sha256:} and the first 16 hex
 *        digits of the SHA-256 of the {@code policy.wasm} bytes followed by the {@code data.json} bytes (none when
 *        the bundle has no {@code data.json}); answers carry it as {@code Toolgate-Policy-Revision}
 */
public record PolicyBundle(String source, byte[] wasm, String data, String revision) {

    /** The prefix of a bundle location that names a class-path resource instead of a file. */
    public static final String CLASSPATH = "classpath:";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] WASM_MAGIC = { 0, 'a', 's', 'm' };

    public PolicyBundle {
        Objects.requireNonNull(source, "source");
        wasm = wasm.clone();
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(revision, "revision");
    }

    /** The compiled policy module (a copy). */
    @Override
    public byte[] wasm() {
        return wasm.clone();
    }

    /**
     * Reads a bundle from a location as {@code toolgate.policy.bundle} names it.
     *
     * @param location a file path, or {@code classpath:} and a resource path
     * @throws PolicyBundleException when it is missing or not a usable bundle
     */
    public static PolicyBundle load(String location) {
        return load(location, java.util.Optional.empty());
    }

    /**
     * Reads a bundle from a location as {@code toolgate.policy.bundle} names it, refused unless its signature verifies
     * when a verifier is given.
     *
     * @throws PolicyBundleException when it is missing, not a usable bundle, or not signed as required
     */
    public static PolicyBundle load(String location, java.util.Optional<BundleSignatures> signatures) {
        if (BundleUrl.names(location)) {
            try {
                byte[] bytes = new BundleUrl(location).fetch().orElseThrow();
                return read(new java.io.ByteArrayInputStream(bytes), location, signatures);
            } catch (IOException e) {
                throw new PolicyBundleException("policy bundle " + location + ": cannot be fetched: " + e.getMessage(),
                        e);
            }
        }
        if (location.startsWith(CLASSPATH)) {
            String resource = location.substring(CLASSPATH.length()).replaceFirst("^/+", "");
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            InputStream in = loader == null ? null : loader.getResourceAsStream(resource);
            if (in == null) {
                in = PolicyBundle.class.getClassLoader().getResourceAsStream(resource);
            }
            if (in == null) {
                throw new PolicyBundleException("policy bundle " + location + ": no such class-path resource");
            }
            try (InputStream bundle = in) {
                return read(bundle, location, signatures);
            } catch (IOException e) {
                throw new PolicyBundleException("policy bundle " + location + ": cannot be read: " + e.getMessage(), e);
            }
        }
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            return read(in, location, signatures);
        } catch (NoSuchFileException e) {
            throw new PolicyBundleException("policy bundle " + location + ": no such file", e);
        } catch (IOException e) {
            throw new PolicyBundleException("policy bundle " + location + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a bundle file.
     *
     * @throws PolicyBundleException when it is missing or not a usable bundle
     */
    public static PolicyBundle read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new PolicyBundleException("policy bundle " + file + ": no such file", e);
        } catch (IOException e) {
            throw new PolicyBundleException("policy bundle " + file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a bundle from a stream.
     *
     * @param source what the stream is, for messages
     * @throws PolicyBundleException when it is not a usable bundle
     */
    public static PolicyBundle read(InputStream in, String source) {
        return read(in, source, java.util.Optional.empty());
    }

    static PolicyBundle read(InputStream in, String source, java.util.Optional<BundleSignatures> signatures) {
        Map<String, byte[]> files;
        try {
            files = TarArchive.readGzip(in);
        } catch (IOException e) {
            throw new PolicyBundleException("policy bundle " + source + " is not an opa bundle: " + e.getMessage(), e);
        }
        signatures.ifPresent(s -> s.verify(files, source));
        byte[] wasm = files.get("policy.wasm");
        if (wasm == null) {
            throw new PolicyBundleException("policy bundle " + source
                    + " has no /policy.wasm (build it with: opa build -t wasm -e toolgate/decision ...)");
        }
        if (wasm.length < WASM_MAGIC.length || !Arrays.equals(wasm, 0, WASM_MAGIC.length, WASM_MAGIC, 0,
                WASM_MAGIC.length)) {
            throw new PolicyBundleException("policy bundle " + source + ": /policy.wasm is not a WebAssembly module");
        }
        byte[] dataBytes = files.get("data.json");
        String data = "{}";
        if (dataBytes != null) {
            JsonNode parsed = json(dataBytes, source, "/data.json");
            if (!parsed.isObject()) {
                throw new PolicyBundleException("policy bundle " + source + ": /data.json is not a JSON object");
            }
            data = new String(dataBytes, StandardCharsets.UTF_8);
        }
        String revision = "";
        byte[] manifest = files.get(".manifest");
        if (manifest != null) {
            JsonNode m = json(manifest, source, "/.manifest");
            JsonNode r = m.path("revision");
            if (!r.isMissingNode() && !r.isTextual()) {
                throw new PolicyBundleException("policy bundle " + source + ": /.manifest revision is not a string");
            }
            revision = r.asText("");
        }
        if (revision.isEmpty()) {
            revision = contentRevision(wasm, dataBytes == null ? new byte[0] : dataBytes);
        }
        return new PolicyBundle(source, wasm, data, revision);
    }

    private static String contentRevision(byte[] wasm, byte[] data) {
        byte[] both = Arrays.copyOf(wasm, wasm.length + data.length);
        System.arraycopy(data, 0, both, wasm.length, data.length);
        return "sha256:" + CanonicalJson.sha256Hex(both).substring(0, 16);
    }

    private static JsonNode json(byte[] bytes, String source, String member) {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new PolicyBundleException("policy bundle " + source + ": " + member + " is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new PolicyBundleException(
                    "policy bundle " + source + ": " + member + " is not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new PolicyBundleException("policy bundle " + source + ": " + member + " cannot be read", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyBundle b && source.equals(b.source) && Arrays.equals(wasm, b.wasm)
                && data.equals(b.data) && revision.equals(b.revision);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, Arrays.hashCode(wasm), data, revision);
    }

    @Override
    public String toString() {
        return "PolicyBundle[" + source + ", revision " + revision + ", " + wasm.length + " wasm bytes]";
    }
}
