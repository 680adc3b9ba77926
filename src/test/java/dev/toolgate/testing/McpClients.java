package dev.toolgate.testing;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;

/**
 * Real MCP clients for tests: the official MCP Java SDK's {@link McpSyncClient} over its Streamable HTTP client
 * transport ({@link HttpClientStreamableHttpTransport}, java.net.http, HTTP/1.1), pointed at any MCP endpoint URL (the
 * upstream's {@code http://127.0.0.1:port/mcp} or toolgate's {@code http://127.0.0.1:port/mcp/<server>}), with a
 * {@code Authorization: Bearer} header and any extra headers on every request (POST, the GET server stream and the
 * DELETE on close).
 * <p>
 * The transport takes a base URL and an endpoint path separately and resolves the path against the base, defaulting
 * the path to {@code /mcp}: a full URL given as the base alone would lose its path, so {@link Builder} splits it.
 * <p>
 * Protocol versions (SDK 2.1.0): the client transport supports 2025-03-26, 2025-06-18 and 2025-11-25 and offers the
 * newest, {@value #OFFERED_PROTOCOL_VERSION}, in {@code initialize}; after initialize it sends the negotiated version
 * in {@code MCP-Protocol-Version} (before it, the newest). The SDK's servlet server transports accept the same three
 * versions (answering the client's version when they know it) and do not check the {@code MCP-Protocol-Version}
 * header.
 */
public final class McpClients {

    /** The protocol version the SDK 2.1.0 client offers in {@code initialize}. */
    public static final String OFFERED_PROTOCOL_VERSION = "2025-11-25";
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final String CLIENT_NAME = "toolgate-test-client";

    private McpClients() {
    }

    /** An initialized client with this bearer token (null: no Authorization header). */
    public static McpSyncClient sync(String url, String bearerToken) {
        return to(url).bearer(bearerToken).initialized();
    }

    /** An initialized client with this bearer token and extra headers (e.g. {@code Toolgate-Mode: dry-run}). */
    public static McpSyncClient sync(String url, String bearerToken, Map<String, String> headers) {
        return to(url).bearer(bearerToken).headers(headers).initialized();
    }

    /** A client that has not sent {@code initialize} yet, with this bearer token. */
    public static McpSyncClient uninitialized(String url, String bearerToken) {
        return to(url).bearer(bearerToken).build();
    }

    /** Starts building a client for this MCP endpoint URL. */
    public static Builder to(String url) {
        return new Builder(url);
    }

    /** Options of one client; {@link #build()} or {@link #initialized()} makes it. */
    public static final class Builder {

        private final String url;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private List<String> protocolVersions;
        private Consumer<McpClient.SyncSpec> spec = s -> {
        };

        private Builder(String url) {
            this.url = url;
        }

        /** {@code Authorization: Bearer <token>} on every request; null for none. */
        public Builder bearer(String token) {
            if (token == null) {
                headers.remove("Authorization");
            } else {
                headers.put("Authorization", "Bearer " + token);
            }
            return this;
        }

        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Builder headers(Map<String, String> more) {
            headers.putAll(more);
            return this;
        }

        /** How long the client waits for each response (also for initialize). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** The protocol versions the client supports (it offers the last one); the SDK's three by default. */
        public Builder protocolVersions(String... versions) {
            this.protocolVersions = List.of(versions);
            return this;
        }

        /** More client settings, e.g. {@code s -> s.progressConsumer(...)}; runs after this builder's own. */
        public Builder spec(Consumer<McpClient.SyncSpec> more) {
            this.spec = this.spec.andThen(more);
            return this;
        }

        /** The Streamable HTTP transport for the URL, adding the headers to every request it sends. */
        public HttpClientStreamableHttpTransport transport() {
            URI uri = URI.create(url);
            if (uri.getScheme() == null || uri.getRawAuthority() == null || uri.getRawPath() == null
                    || uri.getRawPath().isEmpty()) {
                throw new IllegalArgumentException("not an MCP endpoint URL: " + url);
            }
            String base = uri.getScheme() + "://" + uri.getRawAuthority();
            String endpoint = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            Map<String, String> fixed = Map.copyOf(headers);
            HttpClientStreamableHttpTransport.Builder transport = HttpClientStreamableHttpTransport.builder(base)
                    .endpoint(endpoint)
                    .jsonMapper(McpUpstreamServer.freshJsonMapper())
                    .httpRequestCustomizer((request, method, target, body, context) -> fixed.forEach(request::header));
            if (protocolVersions != null) {
                transport.supportedProtocolVersions(protocolVersions);
            }
            return transport.build();
        }

        /** The client, not yet initialized. */
        public McpSyncClient build() {
            McpClient.SyncSpec client = McpClient.sync(transport())
                    .clientInfo(new McpSchema.Implementation(CLIENT_NAME, "1.0.0"))
                    .requestTimeout(requestTimeout)
                    .initializationTimeout(requestTimeout);
            spec.accept(client);
            return client.build();
        }

        /** The client after a successful {@code initialize}; closed again if initialize fails. */
        public McpSyncClient initialized() {
            McpSyncClient client = build();
            try {
                client.initialize();
                return client;
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
        }
    }
}
