package dev.toolgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads the regular files of a gzip-compressed tar archive, as {@code opa build} writes them (Go's
 * {@code archive/tar}: ustar headers, PAX or GNU records for long names). Enough for policy bundles, nothing more:
 * links, devices and directories are skipped, and an entry larger than {@link #MAX_ENTRY_BYTES} is refused.
 */
final class TarArchive {

    /** The largest entry read; a policy module of this size is already absurd. */
    static final int MAX_ENTRY_BYTES = 64 << 20;

    private static final int BLOCK = 512;

    private TarArchive() {
    }

    /**
     * The regular files of a {@code .tar.gz} stream.
     *
     * @return file contents by name, without a leading {@code /} or {@code ./}; a later entry of the same name wins
     * @throws IOException when the stream is not gzip, not tar, or is truncated; the message says which
     */
    static Map<String, byte[]> readGzip(InputStream in) throws IOException {
        GZIPInputStream gzip;
        try {
            gzip = new GZIPInputStream(in);
        } catch (java.util.zip.ZipException e) {
            throw new IOException("not a gzip-compressed file (" + e.getMessage() + ")", e);
        }
        return read(gzip);
    }

    private static Map<String, byte[]> read(InputStream in) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        String nextName = null;
        long nextSize = -1;
        int index = 0;
        while (true) {
            byte[] header = in.readNBytes(BLOCK);
            if (header.length == 0 && index == 0) {
                throw new IOException("not a tar archive (empty)");
            }
            if (header.length < BLOCK) {
                throw new IOException("truncated tar archive (header of entry " + index + ")");
            }
            if (allZero(header)) {
                return files;
            }
            checkChecksum(header, index);
            long size = nextSize >= 0 ? nextSize : octal(header, 124, 12, index);
            if (size > MAX_ENTRY_BYTES) {
                throw new IOException("tar entry " + index + " is larger than " + MAX_ENTRY_BYTES + " bytes");
            }
            byte type = header[156];
            byte[] content = in.readNBytes((int) size);
            if (content.length < size) {
                throw new IOException("truncated tar archive (content of entry " + index + ")");
            }
            skipPadding(in, size, index);
            switch (type) {
                case 'x' -> {
                    Map<String, String> pax = pax(content, index);
                    nextName = pax.get("path");
                    nextSize = pax.containsKey("size") ? parseLong(pax.get("size"), index) : -1;
                }
                case 'L' -> nextName = cString(content, 0, content.length);
                case '0', 0 -> {
                    files.put(normalise(nextName != null ? nextName : name(header)), content);
                    nextName = null;
                    nextSize = -1;
                }
                default -> {
                    // directories, links, global PAX headers: nothing a bundle needs
                    nextName = null;
                    nextSize = -1;
                }
            }
            index++;
        }
    }

    private static String name(byte[] header) {
        String name = cString(header, 0, 100);
        boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String normalise(String name) {
        String n = name;
        while (n.startsWith("/") || n.startsWith("./")) {
            n = n.substring(n.startsWith("/") ? 1 : 2);
        }
        return n;
    }

    private static void checkChecksum(byte[] header, int index) throws IOException {
        String digits = cString(header, 148, 8).trim();
        long stored = digits.matches("[0-7]{1,7}") ? Long.parseLong(digits, 8) : -1;
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        }
        if (sum != stored) {
            throw new IOException("not a tar archive (bad header checksum of entry " + index + ")");
        }
    }

    private static long octal(byte[] header, int offset, int length, int index) throws IOException {
        if ((header[offset] & 0x80) != 0) {
            // base-256: only used for values beyond what an octal field holds, far above MAX_ENTRY_BYTES
            return Long.MAX_VALUE;
        }
        String digits = cString(header, offset, length).trim();
        if (digits.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(digits, 8);
        } catch (NumberFormatException e) {
            throw new IOException("not a tar archive (bad number in the header of entry " + index + ")", e);
        }
    }

    private static long parseLong(String value, int index) throws IOException {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IOException("bad PAX size before tar entry " + (index + 1), e);
        }
    }

    /** PAX records: {@code "<length> <key>=<value>\n"}, the length counting the whole record. */
    private static Map<String, String> pax(byte[] content, int index) throws IOException {
        Map<String, String> records = new LinkedHashMap<>();
        int pos = 0;
        while (pos < content.length) {
            int space = pos;
            while (space < content.length && content[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(content, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("bad PAX header in tar entry " + index, e);
            }
            if (length < space - pos + 2 || pos + length > content.length) {
                throw new IOException("bad PAX header in tar entry " + index);
            }
            String record = new String(content, space + 1, pos + length - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                records.put(record.substring(0, eq), record.substring(eq + 1));
            }
            pos += length;
        }
        return records;
    }

    private static void skipPadding(InputStream in, long size, int index) throws IOException {
        int padding = (int) ((BLOCK - size % BLOCK) % BLOCK);
        if (in.readNBytes(padding).length < padding) {
            throw new IOException("truncated tar archive (padding of entry " + index + ")");
        }
    }

    private static String cString(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
