package dev.toolgate.ingress.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import dev.toolgate.call.PercentEncoding;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.forward.HttpForwarder;
import dev.toolgate.forward.HttpReply;
import dev.toolgate.pipeline.StoredReply;
import dev.toolgate.pipeline.Upstream;
import dev.toolgate.pipeline.UpstreamResult;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * Forwards one HTTP tool call (the invocation's method, path and query, the agent's headers and body), and keeps and restores
 * its reply for idempotent repeats: the status, an
 * allow-list of headers and the body up to a limit.
 */
final class HttpUpstream implements Upstream<HttpReply> {

    static final String PROTOCOL = "http";

    /** Headers that describe the representation; nothing session- or hop-specific is replayed. */
    private static final Set<String> KEPT_HEADERS = Set.of("content-type", "content-language", "content-encoding",
            "content-location", "location", "etag", "last-modified", "cache-control", "link");

    private final HttpForwarder forwarder;
    private final String client;
    private final List<Map.Entry<String, String>> headers;
    private final Buffer body;
    private final int maxKeptBytes;

    /** @param client the address of the agent's connection, for a {@code Forwarded} header when configured */
    HttpUpstream(HttpForwarder forwarder, String client, List<Map.Entry<String, String>> headers, Buffer body,
            int maxKeptBytes) {
        this.forwarder = forwarder;
        this.client = client;
        this.headers = headers;
        this.body = body;
        this.maxKeptBytes = maxKeptBytes;
    }

    /**
     * Forwards the call as decided: the method, path and query of its invocation, re-encoded from the values the
     * stages checked (the agent's, or the fallback's), to the upstream of the tool it resolved to.
     */
    @Override
    public Uni<UpstreamResult<HttpReply>> send(ToolCall call) {
        ResolvedAction a = call.action().orElseThrow();
        return forwarder.forward(call, a.tool(), call.invocation().method(), call.invocation().path(),
                PercentEncoding.query(call.invocation().query()), headers, body, client);
    }

    @Override
    public Optional<StoredReply> encode(HttpReply reply) {
        if (reply.body().length() > maxKeptBytes) {
            return Optional.empty();
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(reply.body().length() + 256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeShort(reply.status());
            List<Map.Entry<String, String>> kept = reply.headers().stream()
                    .filter(h -> KEPT_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))).toList();
            out.writeShort(kept.size());
            for (Map.Entry<String, String> h : kept) {
                out.writeUTF(h.getKey());
                out.writeUTF(h.getValue());
            }
            out.writeInt(reply.body().length());
            out.write(reply.body().getBytes());
            return Optional.of(new StoredReply(PROTOCOL, bytes.toByteArray()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<HttpReply> decode(StoredReply stored) {
        if (!PROTOCOL.equals(stored.protocol())) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored.bytes()))) {
            int status = in.readShort();
            int count = in.readShort();
            List<Map.Entry<String, String>> kept = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                kept.add(Map.entry(in.readUTF(), in.readUTF()));
            }
            byte[] body = in.readNBytes(in.readInt());
            return Optional.of(new HttpReply(status, kept, Buffer.buffer(body), OptionalLong.empty()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
