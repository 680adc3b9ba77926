package dev.toolgate.ingress.mcp;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.Mode;
import dev.toolgate.call.RunIds;
import dev.toolgate.call.TraceContext;
import dev.toolgate.ingress.web.CallHeaders;
import io.vertx.core.MultiMap;

/**
 * What an agent asks of toolgate for one {@code tools/call}, in the request's {@code params._meta} or in the headers
 * an HTTP call uses: {@code dev.toolgate/mode} or {@code Toolgate-Mode} ({@code dry-run} or {@code enforce}),
 * {@code dev.toolgate/run_id} or {@code Toolgate-Run-Id}, {@code dev.toolgate/approval} or {@code Toolgate-Approval},
 * {@code dev.toolgate/idempotency_key} or {@code Idempotency-Key}. Given in both places, they must agree. These
 * members never reach the server.
 *
 * @param runId the run id, or the empty string
 */
record McpOptions(Mode mode, String runId, Optional<String> approval, Optional<String> idempotencyKey) {

    static final String PREFIX = "dev.toolgate/";

    /** The options, or why they cannot be read. */
    sealed interface Read {
        record Ok(McpOptions options) implements Read {
        }

        record Bad(String why) implements Read {
        }
    }

    static Read read(JsonNode params, MultiMap headers) {
        JsonNode meta = params == null ? null : params.get("_meta");
        if (meta != null && !meta.isObject()) {
            return new Read.Bad("params._meta must be an object");
        }
        Optional<String> mode;
        Optional<String> runId;
        Optional<String> approval;
        Optional<String> key;
        try {
            mode = one(meta, "mode", headers, "Toolgate-Mode");
            runId = one(meta, "run_id", headers, "Toolgate-Run-Id");
            approval = one(meta, "approval", headers, "Toolgate-Approval");
            key = one(meta, "idempotency_key", headers, "Idempotency-Key");
        } catch (IllegalArgumentException e) {
            return new Read.Bad(e.getMessage());
        }
        if (mode.isPresent() && !mode.get().equalsIgnoreCase("dry-run") && !mode.get().equalsIgnoreCase("enforce")) {
            return new Read.Bad("the mode must be dry-run or enforce");
        }
        if (runId.isPresent() && !RunIds.valid(runId.get())) {
            return new Read.Bad("the run id must be " + RunIds.RULE);
        }
        Mode m = mode.filter(v -> v.equalsIgnoreCase("dry-run")).isPresent() ? Mode.DRY_RUN : Mode.ENFORCE;
        return new Read.Ok(new McpOptions(m, runId.orElse(""), approval, key));
    }

    /**
     * The agent's trace context: {@code params._meta.traceparent} (and {@code tracestate}), as MCP carries it, else
     * the request's headers; empty when neither is well formed.
     */
    static Optional<TraceContext> trace(JsonNode params, MultiMap headers) {
        JsonNode meta = params == null ? null : params.get("_meta");
        if (meta != null && meta.path("traceparent").isTextual()) {
            return TraceContext.parse(meta.get("traceparent").textValue(), meta.path("tracestate").textValue());
        }
        return CallHeaders.trace(headers);
    }

    /** The option from {@code _meta} or the header; both present and different is an error. */
    private static Optional<String> one(JsonNode meta, String member, MultiMap headers, String header) {
        JsonNode value = meta == null ? null : meta.get(PREFIX + member);
        if (value != null && !value.isTextual()) {
            throw new IllegalArgumentException("_meta " + PREFIX + member + " must be a string");
        }
        if (headers.getAll(header).size() > 1) {
            throw new IllegalArgumentException("send at most one " + header + " header");
        }
        Optional<String> fromMeta = Optional.ofNullable(value).map(JsonNode::textValue);
        Optional<String> fromHeader = Optional.ofNullable(headers.get(header));
        if (fromMeta.isPresent() && fromHeader.isPresent() && !fromMeta.get().equals(fromHeader.get())) {
            throw new IllegalArgumentException("_meta " + PREFIX + member + " and the " + header
                    + " header disagree");
        }
        return fromMeta.or(() -> fromHeader);
    }
}
