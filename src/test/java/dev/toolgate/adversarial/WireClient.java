package dev.toolgate.adversarial;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sends one request over a fresh socket exactly as written: the request target byte for byte (so that dot segments,
 * escapes and odd characters reach the gateway unchanged), headers in order and repeated as given, the body at once or
 * trickled, or cut off. HTTP client libraries normalise or refuse most of what an attacker would send.
 */
final class WireClient {

    /** An answer: status (0 when the connection closed without one), headers (lower-case names) and body. */
    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private WireClient() {
    }

    static Answer send(int port, String method, String target, List<Map.Entry<String, String>> headers, byte[] body,
            Scenario.Slow slow) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(slow != null && slow.cutAfter() >= 0 ? 2_000 : 20_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: localhost:").append(port).append("\r\n");
            for (Map.Entry<String, String> header : headers) {
                head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            // header values are sent as UTF-8 bytes: a scenario may carry non-ASCII on purpose
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (body != null) {
                if (slow == null) {
                    out.write(body);
                } else {
                    int end = slow.cutAfter() >= 0 ? Math.min(slow.cutAfter(), body.length) : body.length;
                    for (int at = 0; at < end; at += slow.chunkBytes()) {
                        out.write(body, at, Math.min(slow.chunkBytes(), end - at));
                        out.flush();
                        sleep(slow.pauseMillis());
                    }
                    if (end < body.length) {
                        // the rest never comes: the gateway must not act on half a request
                        return read(socket.getInputStream(), true);
                    }
                }
                out.flush();
            }
            return read(socket.getInputStream(), false);
        } catch (IOException e) {
            throw new IllegalStateException("the exchange with the gateway failed: " + e, e);
        }
    }

    private static Answer read(InputStream in, boolean mayTimeOut) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            in.transferTo(all);
        } catch (SocketTimeoutException e) {
            if (!mayTimeOut) {
                throw e;
            }
        }
        byte[] bytes = all.toByteArray();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            return new Answer(0, Map.of(), text);
        }
        String[] lines = text.substring(0, split).split("\r\n");
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.merge(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip(), (a, b) -> a + ", " + b);
        }
        byte[] rest = java.util.Arrays.copyOfRange(bytes, split + 4, bytes.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            rest = dechunk(rest);
        }
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, new String(rest, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int lineEnd = indexOf(body, at);
            if (lineEnd < 0) {
                break;
            }
            String sizeLine = new String(body, at, lineEnd - at, StandardCharsets.ISO_8859_1);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            if (size == 0) {
                break;
            }
            out.write(body, lineEnd + 2, Math.min(size, body.length - lineEnd - 2));
            at = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
