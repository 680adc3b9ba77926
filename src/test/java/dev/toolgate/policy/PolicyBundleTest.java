package dev.toolgate.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.toolgate.call.CanonicalJson;

class PolicyBundleTest {

    private static final byte[] WASM = { 0, 'a', 's', 'm', 1, 0, 0, 0 };

    @TempDir
    Path tmp;

    @Test
    void readsTheBuiltBundleAndNamesItsContentRevision() throws Exception {
        // given the bundle the build compiled, unpacked independently by the system's tar
        Path bundleFile = Opa.builtBundle();
        Process tar = new ProcessBuilder("tar", "-xzf", bundleFile.toString(), "-C", tmp.toString()).start();
        assertEquals(0, tar.waitFor());
        byte[] wasm = Files.readAllBytes(tmp.resolve("policy.wasm"));
        byte[] data = Files.readAllBytes(tmp.resolve("data.json"));

        // when
        PolicyBundle bundle = PolicyBundle.read(bundleFile);

        // then: opa writes an empty manifest revision, so the revision is the content hash
        assertArrayEquals(wasm, bundle.wasm());
        assertEquals(new String(data, StandardCharsets.UTF_8), bundle.data());
        byte[] both = new byte[wasm.length + data.length];
        System.arraycopy(wasm, 0, both, 0, wasm.length);
        System.arraycopy(data, 0, both, wasm.length, data.length);
        assertEquals("sha256:" + CanonicalJson.sha256Hex(both).substring(0, 16), bundle.revision());
        assertEquals(bundleFile.toString(), bundle.source());
    }

    @Test
    void loadsTheBundleFromTheClassPath() {
        // when
        PolicyBundle fromClassPath = PolicyBundle.load("classpath:policy/bundle.tar.gz");

        // then
        PolicyBundle fromFile = PolicyBundle.read(Opa.builtBundle());
        assertEquals(fromFile.revision(), fromClassPath.revision());
        assertEquals("classpath:policy/bundle.tar.gz", fromClassPath.source());
    }

    @Test
    void usesTheManifestRevisionWhenItHasOne() throws IOException {
        // given
        byte[] tarball = Tarballs.gzip(entries("/policy.wasm", WASM, "/data.json", "{\"limits\": {\"x\": 1}}",
                "/.manifest", "{\"revision\": \"v42\", \"roots\": [\"\"]}"));

        // when
        PolicyBundle bundle = PolicyBundle.read(new ByteArrayInputStream(tarball), "mem.tar.gz");

        // then
        assertEquals("v42", bundle.revision());
        assertEquals("{\"limits\": {\"x\": 1}}", bundle.data());
    }

    @Test
    void defaultsToEmptyDataAndHashesOnlyTheWasmWithoutDataJson() throws IOException {
        // given
        byte[] tarball = Tarballs.gzip(entries("./policy.wasm", WASM, "/.manifest", "{\"revision\": \"\"}"));

        // when
        PolicyBundle bundle = PolicyBundle.read(new ByteArrayInputStream(tarball), "mem.tar.gz");

        // then
        assertEquals("{}", bundle.data());
        assertEquals("sha256:" + CanonicalJson.sha256Hex(WASM).substring(0, 16), bundle.revision());
    }

    @Test
    void readsEntriesWhoseLongNamesComeInPaxRecords() throws IOException {
        // given a module path longer than a ustar name field, before policy.wasm
        String longName = "/" + "deeply/nested/".repeat(10) + "decision.rego";
        byte[] tarball = Tarballs.gzip(entries(longName, "package toolgate", "/policy.wasm", WASM));

        // when
        Map<String, byte[]> files = TarArchive.readGzip(new ByteArrayInputStream(tarball));

        // then
        assertEquals(List.of(longName.substring(1), "policy.wasm"), List.copyOf(files.keySet()));
        assertArrayEquals(WASM, files.get("policy.wasm"));
    }

    @Test
    void refusesAMissingFileNamingIt() {
        // given
        Path missing = tmp.resolve("nope.tar.gz");

        // when
        PolicyBundleException e = assertThrows(PolicyBundleException.class, () -> PolicyBundle.load(missing.toString()));

        // then
        assertEquals("policy bundle " + missing + ": no such file", e.getMessage());
    }

    @Test
    void refusesAMissingClassPathResource() {
        PolicyBundleException e = assertThrows(PolicyBundleException.class,
                () -> PolicyBundle.load("classpath:policy/nope.tar.gz"));

        assertEquals("policy bundle classpath:policy/nope.tar.gz: no such class-path resource", e.getMessage());
    }

    @Test
    void refusesATarballWithoutPolicyWasm() throws IOException {
        // given a bundle of Rego sources only (opa build without -t wasm)
        Path file = tmp.resolve("rego-only.tar.gz");
        Files.write(file, Tarballs.gzip(entries("/policies/decision.rego", "package toolgate", "/data.json", "{}")));

        // when
        PolicyBundleException e = assertThrows(PolicyBundleException.class, () -> PolicyBundle.read(file));

        // then
        assertTrue(e.getMessage().startsWith("policy bundle " + file + " has no /policy.wasm"), e.getMessage());
    }

    @Test
    void refusesAFileThatIsNotGzip() throws IOException {
        Path file = Files.writeString(tmp.resolve("policy.rego"), "package toolgate\n");

        PolicyBundleException e = assertThrows(PolicyBundleException.class, () -> PolicyBundle.read(file));

        assertTrue(e.getMessage().startsWith("policy bundle " + file + " is not an opa bundle: not a gzip"),
                e.getMessage());
    }

    @Test
    void refusesGzipThatIsNotTar() throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(bytes)) {
            gzip.write("just some text, definitely not a tar header".repeat(20).getBytes(StandardCharsets.UTF_8));
        }

        PolicyBundleException e = assertThrows(PolicyBundleException.class,
                () -> PolicyBundle.read(new ByteArrayInputStream(bytes.toByteArray()), "text.gz"));

        assertEquals("policy bundle text.gz is not an opa bundle: not a tar archive (bad header checksum of entry 0)",
                e.getMessage());
    }

    @Test
    void refusesAPolicyWasmThatIsNotWebAssembly() throws IOException {
        byte[] tarball = Tarballs.gzip(entries("/policy.wasm", "#!/bin/sh"));

        PolicyBundleException e = assertThrows(PolicyBundleException.class,
                () -> PolicyBundle.read(new ByteArrayInputStream(tarball), "b.tar.gz"));

        assertEquals("policy bundle b.tar.gz: /policy.wasm is not a WebAssembly module", e.getMessage());
    }

    @Test
    void refusesDataThatIsNotAJsonObject() throws IOException {
        byte[] notJson = Tarballs.gzip(entries("/policy.wasm", WASM, "/data.json", "{\"a\": "));
        byte[] array = Tarballs.gzip(entries("/policy.wasm", WASM, "/data.json", "[1]"));

        PolicyBundleException broken = assertThrows(PolicyBundleException.class,
                () -> PolicyBundle.read(new ByteArrayInputStream(notJson), "b.tar.gz"));
        PolicyBundleException notObject = assertThrows(PolicyBundleException.class,
                () -> PolicyBundle.read(new ByteArrayInputStream(array), "b.tar.gz"));

        assertTrue(broken.getMessage().startsWith("policy bundle b.tar.gz: /data.json is not JSON: "),
                broken.getMessage());
        assertEquals("policy bundle b.tar.gz: /data.json is not a JSON object", notObject.getMessage());
    }

    @Test
    void refusesATruncatedTarball() throws IOException {
        byte[] full = Tarballs.gzip(entries("/policy.wasm", new byte[2000]));
        var bytes = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(bytes)) {
            // the header and part of the content, no end-of-archive blocks
            gzip.write(new java.util.zip.GZIPInputStream(new ByteArrayInputStream(full)).readNBytes(1000));
        }

        PolicyBundleException e = assertThrows(PolicyBundleException.class,
                () -> PolicyBundle.read(new ByteArrayInputStream(bytes.toByteArray()), "cut.tar.gz"));

        assertEquals("policy bundle cut.tar.gz is not an opa bundle: truncated tar archive (content of entry 0)",
                e.getMessage());
    }

    private static Map<String, byte[]> entries(Object... nameThenContent) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < nameThenContent.length; i += 2) {
            Object content = nameThenContent[i + 1];
            entries.put((String) nameThenContent[i], content instanceof byte[] b ? b
                    : ((String) content).getBytes(StandardCharsets.UTF_8));
        }
        return entries;
    }
}
