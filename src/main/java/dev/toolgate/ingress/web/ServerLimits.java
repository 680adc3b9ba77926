package dev.toolgate.ingress.web;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The HTTP server's size limits, enforced where a refusal can be a problem document. Netty's decoder refuses a request
 * line or header section over its limit before any handler runs, and Vert.x then answers an empty 414 or 431 (Quarkus
 * gives no way to answer those otherwise). So the decoder's limits are raised to a ceiling of four times the
 * configured ones ({@code quarkus.http.limits.max-initial-line-length}, {@code quarkus.http.limits.max-header-size}),
 * and the configured limits are enforced by {@link ServerRefusals} with a problem; only a request past the ceiling gets
 * the decoder's bare answer. The body limit ({@code quarkus.http.limits.max-body-size}) is checked against
 * {@code Content-Length} before Quarkus' own check, which would answer an empty 413.
 */
@ApplicationScoped
public class ServerLimits implements HttpServerOptionsCustomizer {

    /** How far past a configured limit the decoder still reads a request, for toolgate to refuse it. */
    static final int CEILING_FACTOR = 4;

    private final int maxInitialLine;
    private final int maxHeaderBytes;
    private final long maxBodyBytes;

    ServerLimits(
            @ConfigProperty(name = "quarkus.http.limits.max-initial-line-length", defaultValue = "4096") int maxInitialLine,
            @ConfigProperty(name = "quarkus.http.limits.max-header-size", defaultValue = "20K") MemorySize maxHeaderSize,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize maxBodySize) {
        this.maxInitialLine = maxInitialLine;
        this.maxHeaderBytes = (int) Math.min(Integer.MAX_VALUE, maxHeaderSize.asLongValue());
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setMaxInitialLineLength(ceiling(maxInitialLine));
        options.setMaxHeaderSize(ceiling(maxHeaderBytes));
    }

    private static int ceiling(int limit) {
        return (int) Math.min(Integer.MAX_VALUE, (long) limit * CEILING_FACTOR);
    }

    /** The body limit of the server, in bytes. */
    long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** Why the request is over a limit, or empty. */
    Optional<Denial> refusal(HttpServerRequest request) {
        int line = request.method().name().length() + 1 + request.uri().length() + 1 + "HTTP/1.1".length();
        if (line > maxInitialLine) {
            return Optional.of(Denial.of(Reason.REQUEST_TOO_LARGE,
                    "the request line is longer than " + maxInitialLine + " bytes")
                    .with(ProblemDocuments.TOO_LARGE, ProblemDocuments.TOO_LARGE_REQUEST_LINE));
        }
        long headers = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headers += header.getKey().length() + 2 + header.getValue().length() + 2;
        }
        if (headers > maxHeaderBytes) {
            return Optional.of(Denial.of(Reason.REQUEST_TOO_LARGE,
                    "the request's header fields are larger than " + maxHeaderBytes + " bytes")
                    .with(ProblemDocuments.TOO_LARGE, ProblemDocuments.TOO_LARGE_HEADERS));
        }
        String length = request.getHeader("Content-Length");
        if (length != null && length.chars().allMatch(Character::isDigit) && !length.isEmpty()
                && (length.length() > 18 || Long.parseLong(length) > maxBodyBytes)) {
            return Optional.of(Denial.of(Reason.PAYLOAD_TOO_LARGE,
                    "the request body exceeds " + maxBodyBytes + " bytes"));
        }
        return Optional.empty();
    }
}
