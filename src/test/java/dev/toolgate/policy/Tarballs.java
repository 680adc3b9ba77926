package dev.toolgate.policy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Writes small {@code .tar.gz} files for bundle tests (ustar headers; a PAX record for names over 100 bytes). */
final class Tarballs {

    private Tarballs() {
    }

    static byte[] gzip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            for (var entry : entries.entrySet()) {
                byte[] name = entry.getKey().getBytes(StandardCharsets.UTF_8);
                if (name.length > 100) {
                    String record = "path=" + entry.getKey() + "\n";
                    int length = record.length() + 1;
                    length += String.valueOf(length + String.valueOf(length).length()).length();
                    byte[] pax = (length + " " + record).getBytes(StandardCharsets.UTF_8);
                    write(out, "PaxHeaders/x", 'x', pax);
                    write(out, "long-name", '0', entry.getValue());
                } else {
                    write(out, entry.getKey(), '0', entry.getValue());
                }
            }
            out.write(new byte[1024]);
        }
        return bytes.toByteArray();
    }

    private static void write(GZIPOutputStream out, String name, char type, byte[] content) throws IOException {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", content.length));
        put(header, 136, String.format("%011o", 0));
        header[156] = (byte) type;
        put(header, 257, "ustar");
        put(header, 263, "00");
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        out.write(header);
        out.write(content);
        out.write(new byte[(512 - content.length % 512) % 512]);
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
