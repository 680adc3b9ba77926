package dev.toolgate.ingress.mcp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.forward.UpstreamClient;
import dev.toolgate.pipeline.StoredReply;
import dev.toolgate.pipeline.Upstream;
import dev.toolgate.pipeline.UpstreamResult;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * What every MCP upstream shares: its answers as the audit summarises them, the server's faults as failures, the cost
 * a server reports, and the answers kept for idempotent repeats ({@code {"result": …}} or {@code {"error": …}}).
 */
abstract class McpReplies implements Upstream<McpReply> {

    static final String PROTOCOL = "mcp";
    static final String COST_META = "dev.toolgate/cost_usd_micros";
    /** The member of a server-refused call's problem that holds the server's HTTP status. */
    static final String UPSTREAM_STATUS = "upstream_status";
    private static final long MAX_COST = 1L << 51;

    /** The exchange with the server. */
    protected final McpRelay relay;
    /** The agent's request headers, of which the server sees what MCP needs. */
    protected final MultiMap headers;
    /** The agent's answer, which a stream is passed on to as it comes. */
    protected final HttpServerResponse agent;
    private final int maxKeptBytes;

    McpReplies(McpRelay relay, MultiMap headers, HttpServerResponse agent, int maxKeptBytes) {
        this.relay = relay;
        this.headers = headers;
        this.agent = agent;
        this.maxKeptBytes = maxKeptBytes;
    }

    /**
     * Runs one step of an exchange with the server. A fault in it (the agent's answer closed under it, a bug) gives the
     * exchange up and completes the call as failed after sending: a call never hangs, and its after-work is finished.
     */
    static void step(UniEmitter<? super UpstreamResult<McpReply>> emitter, ToolSpec tool,
            UpstreamClient.Exchange exchange, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            exchange.request().reset();
            exchange.done();
            emitter.complete(failed(tool, e));
        }
    }

    /** A complete answer of the server, its headers kept for the ingress to choose from. */
    static McpReply.Whole whole(UpstreamClient.Exchange exchange, Buffer body, JsonNode answer) {
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        exchange.response().headers().forEach((name, value) -> kept.add(Map.entry(name, value)));
        return new McpReply.Whole(exchange.response().statusCode(), kept, body, answer);
    }

    /** A short summary for the audit record. */
    static String status(JsonNode answer, int httpStatus) {
        if (answer == null) {
            return httpStatus / 100 == 2 ? "no_answer" : "http_" + httpStatus;
        }
        if (answer.has("error")) {
            return "rpc_error " + answer.path("error").path("code").asText("");
        }
        return answer.path("result").path("isError").asBoolean(false) ? "tool_error" : "ok";
    }

    static UpstreamResult<McpReply> failed(ToolSpec server, Throwable fault) {
        return UpstreamClient.failure(server, fault);
    }

    /**
     * The server answered with an HTTP error. Its body is never passed on (an SDK server may put its stack trace
     * there): the failure carries the status, and a 404 says the server forgot the session.
     */
    static UpstreamResult<McpReply> refusedByServer(UpstreamClient.Exchange exchange) {
        exchange.request().reset();
        exchange.done();
        int status = exchange.response().statusCode();
        return new UpstreamResult.Failed<>(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                status == 404 ? "the MCP server does not know this session; start a new one"
                        : "the MCP server answered HTTP " + status)
                .with(UPSTREAM_STATUS, status));
    }

    /** The cost the server reported in its result's {@code _meta}. */
    static OptionalLong reported(JsonNode answer) {
        if (answer == null) {
            return OptionalLong.empty();
        }
        JsonNode cost = answer.path("result").path("_meta").path(COST_META);
        return cost.isIntegralNumber() && cost.canConvertToLong() && cost.longValue() >= 0
                && cost.longValue() <= MAX_COST ? OptionalLong.of(cost.longValue()) : OptionalLong.empty();
    }

    static OptionalLong cost(String header) {
        OptionalLong reported = UpstreamClient.cost(header);
        return reported.isPresent() && reported.getAsLong() <= MAX_COST ? reported : OptionalLong.empty();
    }

    @Override
    public Optional<StoredReply> encode(McpReply reply) {
        JsonNode answer = reply.answer();
        if (answer == null) {
            return Optional.empty();
        }
        ObjectNode kept = JsonRpc.JSON.createObjectNode();
        if (answer.has("result")) {
            kept.set("result", answer.get("result"));
        } else {
            kept.set("error", answer.get("error"));
        }
        byte[] bytes = kept.toString().getBytes(StandardCharsets.UTF_8);
        return bytes.length > maxKeptBytes ? Optional.empty() : Optional.of(new StoredReply(PROTOCOL, bytes));
    }

    @Override
    public Optional<McpReply> decode(StoredReply stored) {
        if (!PROTOCOL.equals(stored.protocol())) {
            return Optional.empty();
        }
        JsonNode kept = JsonRpc.read(new String(stored.bytes(), StandardCharsets.UTF_8));
        return kept == null || !(kept.has("result") || kept.has("error")) ? Optional.empty()
                : Optional.of(new McpReply.Kept(kept));
    }
}
