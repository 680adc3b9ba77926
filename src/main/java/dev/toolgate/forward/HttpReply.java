package dev.toolgate.forward;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import io.vertx.core.buffer.Buffer;

/**
 * An upstream tool's HTTP answer, with hop-by-hop headers already removed.
 *
 * @param status the status code
 * @param headers the end-to-end headers, in order
 * @param body the whole body
 * @param reportedCostUsdMicros the actual cost the tool reported in {@code Toolgate-Cost-Usd-Micros} (a non-negative
 *        integer; anything else counts as not reported), already removed from {@code headers}
 */
public record HttpReply(int status, List<Map.Entry<String, String>> headers, Buffer body,
        OptionalLong reportedCostUsdMicros) {

    public HttpReply {
        headers = List.copyOf(headers);
    }
}
