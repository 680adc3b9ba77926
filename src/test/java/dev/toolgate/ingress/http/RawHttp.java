package dev.toolgate.ingress.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import io.restassured.RestAssured;

/**
 * Sends a request exactly as written, byte for byte: HTTP client libraries refuse or normalise the malformed request
 * lines, dot-segment paths, oversized headers and mis-encoded bodies an attacker would send.
 */
public final class RawHttp {

    /** Status, headers (lower-case names) and body of an answer. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public String decisionId() {
            return headers.get("toolgate-decision-id");
        }

        public String contentType() {
            return headers.getOrDefault("content-type", "");
        }
    }

    private RawHttp() {
    }

    static Answer get(String target, String authorization) {
        return send(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + authorization
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * POSTs {@code body} to {@code target} with the given content type (none when null) and credential, its
     * Content-Length exact, and the further header lines given.
     */
    public static Answer post(String target, String authorization, String contentType, byte[] body,
            String... headerLines) {
        return send("POST", target, authorization, contentType, body, headerLines);
    }

    /** Sends {@code method} with {@code body}, its Content-Length exact, and the further header lines given. */
    public static Answer send(String method, String target, String authorization, String contentType, byte[] body,
            String... headerLines) {
        String head = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + authorization
                + "\r\n" + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + String.join("", java.util.Arrays.stream(headerLines).map(h -> h + "\r\n").toList())
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return send(request);
    }

    /** Sends the bytes as they are (the request line and headers included) and reads the answer to the end. */
    public static Answer send(byte[] request) {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            return parse(socket.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Answer parse(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            in.transferTo(all);
        } catch (java.net.SocketException reset) {
            // the server may close the connection right after answering a request it refused
        }
        String text = all.toString(StandardCharsets.UTF_8);
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            throw new IllegalStateException("no HTTP answer: \"" + text + "\"");
        }
        String[] head = text.substring(0, split).split("\r\n");
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < head.length; i++) {
            int colon = head[i].indexOf(':');
            headers.put(head[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), head[i].substring(colon + 1).strip());
        }
        String body = text.substring(split + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = unchunk(body);
        }
        return new Answer(Integer.parseInt(head[0].split(" ")[1]), headers, body);
    }

    private static String unchunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, eol).split(";")[0].strip(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }
}
