package dev.toolgate.policy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A bundle served over HTTP(S), as {@code toolgate.policy.bundle=https://...} names it: fetched at start, then, when
 * reloading, asked again with {@code If-None-Match} so that an unchanged bundle costs a {@code 304}. Only
 * {@code http:} and {@code https:}; no credentials are sent (a bundle server that needs them belongs behind a proxy
 * that adds them, or the bundle in a file).
 */
final class BundleUrl {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_BYTES = TarArchive.MAX_ENTRY_BYTES;

    private final URI uri;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private volatile String etag;

    BundleUrl(String location) {
        this.uri = URI.create(location);
    }

    static boolean names(String location) {
        return location.startsWith("http://") || location.startsWith("https://");
    }

    /**
     * The bundle's bytes, or empty when the server says it has not changed since the last fetch ({@code 304}).
     *
     * @throws IOException when the server cannot be reached or answers anything but 200 or 304
     */
    Optional<byte[]> fetch() throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET();
        String known = etag;
        if (known != null) {
            request.header("If-None-Match", known);
        }
        HttpResponse<byte[]> answer;
        try {
            answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + uri, e);
        }
        if (answer.statusCode() == 304 && known != null) {
            return Optional.empty();
        }
        if (answer.statusCode() != 200) {
            throw new IOException(uri + " answered " + answer.statusCode());
        }
        if (answer.body().length > MAX_BYTES) {
            throw new IOException(uri + " answered more than " + MAX_BYTES + " bytes");
        }
        etag = answer.headers().firstValue("ETag").orElse(null);
        return Optional.of(answer.body());
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
