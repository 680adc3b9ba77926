package dev.toolgate.ingress.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.StrictJson;
import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.ingress.web.CallHeaders;
import dev.toolgate.ingress.web.CheckedCalls;
import dev.toolgate.ingress.web.HttpAnswers;
import dev.toolgate.ingress.web.ServerRefusals;
import dev.toolgate.pipeline.Pipeline;
import dev.toolgate.pipeline.StageResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The check API, for orchestrators that call tools themselves. {@code POST /v1/check} decides a described HTTP tool
 * call through the whole pipeline (identity, contract, policy, approval, limits), records its intent and holds its
 * reservation; the caller then performs the call and settles it with {@code POST /v1/report}. An unreported check is
 * released when its lease runs out.
 */
@ApplicationScoped
public class CheckApi {

    private final Pipeline pipeline;
    private final CheckedCalls calls;
    private final HttpAnswers answers;
    private final ObjectMapper json;
    private final int maxBodyBytes;

    CheckApi(Pipeline pipeline, CheckedCalls calls, HttpAnswers answers, ObjectMapper json, ToolgateConfig config) {
        this.pipeline = pipeline;
        this.calls = calls;
        this.answers = answers;
        this.json = json;
        this.maxBodyBytes = config.http().maxBodyBytes();
    }

    void routes(@Observes Router router) {
        router.post("/v1/check").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes)).handler(this::check)
                .failureHandler(this::failure);
        router.post("/v1/report").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes)).handler(this::report)
                .failureHandler(this::failure);
    }

    /** {@code {"tool", "method", "path", "query"?, "body"?}}: the call as the caller will send it to the tool. */
    private void check(RoutingContext rc) {
        StrictJson.Read read = read(rc, "the check body");
        JsonNode d = read instanceof StrictJson.Read.Ok ok ? ok.node() : null;
        ToolCall call = received(rc, d == null ? "" : d.path("tool").asText(""), "CHECK", "/", Map.of(), new byte[0]);
        if (read instanceof StrictJson.Read.Refused refused) {
            refuse(rc, call, refused.denial());
            return;
        }
        if (!d.isObject()) {
            refuse(rc, call, "the check body must be a JSON object");
            return;
        }
        // never dropped silently: a check in no run, or enforcing, would be decided as another call
        Optional<Denial> headers = CallHeaders.problem(rc.request().headers());
        if (headers.isPresent()) {
            refuse(rc, call, headers.get());
            return;
        }
        if (!d.path("tool").isTextual() || !d.path("method").isTextual() || !d.path("path").isTextual()
                || !d.path("path").asText().startsWith("/")) {
            refuse(rc, call, "tool, method and path (starting with /) are required strings");
            return;
        }
        Optional<Map<String, List<String>>> query = query(d.path("query"));
        JsonNode body = d.path("body");
        if (query.isEmpty() || !(body.isMissingNode() || body.isObject())) {
            refuse(rc, call, "query must map names to strings or arrays of strings; body must be an object");
            return;
        }
        byte[] bytes = body.isMissingNode() ? new byte[0] : body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // an approval is redeemed by a check as by a forwarded call; the caller then performs the approved call
        ToolCall described = calls.described(d.get("tool").asText(),
                d.get("method").asText().toUpperCase(java.util.Locale.ROOT), d.get("path").asText(), query.get(), bytes,
                rc.request().headers());
        calls.check(described)
                .subscribe().with(outcome -> answers.write(rc, outcome, this::json),
                        fault -> answers.fault(rc, described.id(), fault));
    }

    /** {@code {"decision_id", "cost_usd_micros"?, "status"?}}: settles a check the caller has performed. */
    private void report(RoutingContext rc) {
        StrictJson.Read read = read(rc, "the report body");
        ToolCall caller = received(rc, "", "REPORT", "/", Map.of(), new byte[0]);
        pipeline.identify(caller).subscribe().with(identified -> {
            if (!(identified instanceof StageResult.Continue c)) {
                Denial denial = identified instanceof StageResult.Deny deny ? deny.denial()
                        : Denial.of(Reason.UNAUTHENTICATED, "the caller could not be identified");
                refuse(rc, caller, denial);
                return;
            }
            if (read instanceof StrictJson.Read.Refused refused) {
                refuse(rc, c.call(), refused.denial());
                return;
            }
            JsonNode d = read instanceof StrictJson.Read.Ok ok && ok.node().isObject() ? ok.node() : null;
            JsonNode cost = d == null ? null : d.path("cost_usd_micros");
            if (d == null || !d.path("decision_id").isTextual()
                    || !(cost.isMissingNode() || cost.isIntegralNumber() && cost.canConvertToLong() && cost.longValue() >= 0)
                    || !(d.path("status").isMissingNode() || d.path("status").isTextual())) {
                refuse(rc, c.call(), Denial.of(Reason.INVALID_ARGUMENTS,
                        "a report is {\"decision_id\": string, \"cost_usd_micros\"?: integer >= 0, \"status\"?: string}"));
                return;
            }
            String decisionId = d.get("decision_id").asText();
            OptionalLong actual = cost.isMissingNode() ? OptionalLong.empty() : OptionalLong.of(cost.longValue());
            pipeline.report(decisionId, c.call().principal().orElseThrow(), actual, d.path("status").asText("reported"))
                    .subscribe().with(reported -> {
                        if (reported.isEmpty()) {
                            // audited as a refusal of its own; the answer names the decision it was about
                            refuse(rc, c.call(), Denial.of(Reason.INVALID_ARGUMENTS,
                                    "no open check with this decision id for this agent: unknown, already reported,"
                                            + " or its lease ran out")
                                    .with("reported_decision_id", decisionId));
                            return;
                        }
                        ObjectNode out = json.createObjectNode();
                        out.put("decision_id", decisionId);
                        out.put("settled", true);
                        actual.ifPresentOrElse(v -> out.put("cost_usd_micros", v), () -> out.putNull("cost_usd_micros"));
                        json(rc.response().putHeader("Toolgate-Decision-Id", decisionId), out);
                    }, fault -> answers.fault(rc, decisionId, fault));
        }, fault -> answers.fault(rc, caller.id(), fault));
    }

    private void json(HttpServerResponse response, ObjectNode doc) {
        response.setStatusCode(200).putHeader("Content-Type", "application/json").end(doc.toString());
    }

    private ToolCall received(RoutingContext rc, String tool, String method, String path,
            Map<String, List<String>> query, byte[] body) {
        return calls.received(tool, method, path, query, body, rc.request().headers());
    }

    /** The body, read strictly once its media type says JSON in UTF-8. */
    private static StrictJson.Read read(RoutingContext rc, String what) {
        Optional<Denial> media = StrictJson.mediaType(rc.request().getHeader("Content-Type"));
        if (media.isPresent()) {
            return new StrictJson.Read.Refused(media.get());
        }
        Buffer body = rc.body().buffer();
        return StrictJson.STANDARD.read(body == null ? new byte[0] : body.getBytes(), what);
    }

    private static Optional<Map<String, List<String>>> query(JsonNode node) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (node.isMissingNode()) {
            return Optional.of(query);
        }
        if (!node.isObject()) {
            return Optional.empty();
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            List<String> values = new ArrayList<>();
            if (e.getValue().isTextual()) {
                values.add(e.getValue().textValue());
            } else if (e.getValue().isArray()) {
                for (JsonNode v : e.getValue()) {
                    if (!v.isTextual()) {
                        return Optional.empty();
                    }
                    values.add(v.textValue());
                }
            } else {
                return Optional.empty();
            }
            query.put(e.getKey(), values);
        }
        return Optional.of(query);
    }

    private void refuse(RoutingContext rc, ToolCall call, String why) {
        refuse(rc, call, Denial.of(Reason.INVALID_ARGUMENTS, why));
    }

    private void refuse(RoutingContext rc, ToolCall call, Denial denial) {
        pipeline.<ObjectNode> refuse(call, denial)
                .subscribe().with(outcome -> answers.write(rc, outcome, this::json),
                        fault -> answers.fault(rc, call.id(), fault));
    }

    private void failure(RoutingContext rc) {
        if (rc.response().headWritten()) {
            rc.response().reset();
            return;
        }
        ToolCall call = received(rc, "", "CHECK", "/", Map.of(), new byte[0]);
        Denial denial = ServerRefusals.denialOf(rc.statusCode(), maxBodyBytes);
        pipeline.<ObjectNode> refuse(call, denial).subscribe().with(outcome -> answers.write(rc, outcome, this::json),
                fault -> answers.fault(rc, call.id(), fault));
    }
}
