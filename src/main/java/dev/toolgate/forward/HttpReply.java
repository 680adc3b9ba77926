package dev.toolgate.forward;

import java.util.List;
import java.util.Map;

import io.vertx.core.buffer.Buffer;

/**
 * An upstream tool's HTTP answer, with hop-by-hop headers already removed.
 *
 * @param status the status code
 * @param headers the end-to-end headers, in order
 * @param body the whole body
 */
public record HttpReply(int status, List<Map.Entry<String, String>> headers, Buffer body) {

    public HttpReply {
        headers = List.copyOf(headers);
    }
}
