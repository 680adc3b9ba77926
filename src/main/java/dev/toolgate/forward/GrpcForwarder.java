package dev.toolgate.forward;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.ToolSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;

/**
 * Requests to gRPC tools ({@link ToolSpec.Kind#GRPC}): HTTP/2, cleartext with prior knowledge for an {@code http}
 * upstream, TLS with ALPN for {@code https}; messages pass as bytes. One client per connect timeout, so that each tool's
 * {@code timeouts.connect} holds.
 */
@ApplicationScoped
public class GrpcForwarder {

    private final Vertx vertx;
    private final Map<String, GrpcClient> clients = new ConcurrentHashMap<>();

    GrpcForwarder(Vertx vertx) {
        this.vertx = vertx;
    }

    @PreDestroy
    void close() {
        clients.values().forEach(GrpcClient::close);
    }

    /**
     * Opens a request of {@code fullMethod} to the tool's upstream. Fails with {@link UpstreamClient.NotSent} when no
     * connection could be opened: then nothing reached the tool.
     */
    public Future<GrpcClientRequest<Buffer, Buffer>> open(ToolSpec tool, String fullMethod) {
        URI upstream = tool.upstream();
        boolean tls = "https".equalsIgnoreCase(upstream.getScheme());
        int port = upstream.getPort() > 0 ? upstream.getPort() : tls ? 443 : 80;
        return client(tls, tool.connectTimeout())
                .request(SocketAddress.inetSocketAddress(port, upstream.getHost()))
                .<GrpcClientRequest<Buffer, Buffer>> map(request -> request.fullMethodName(fullMethod))
                .recover(failure -> Future.failedFuture(new UpstreamClient.NotSent(failure)));
    }

    private GrpcClient client(boolean tls, Duration connectTimeout) {
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis()));
        return clients.computeIfAbsent((tls ? "tls/" : "h2c/") + millis, key -> {
            HttpClientOptions options = new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2)
                    .setConnectTimeout(millis)
                    .setDecompressionSupported(false);
            if (tls) {
                options.setSsl(true).setUseAlpn(true);
            } else {
                options.setHttp2ClearTextUpgrade(false);
            }
            return GrpcClient.client(vertx, options);
        });
    }
}
