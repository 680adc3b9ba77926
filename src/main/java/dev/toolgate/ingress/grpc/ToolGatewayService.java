package dev.toolgate.ingress.grpc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Decision;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.StrictJson;
import dev.toolgate.call.ToolCall;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.grpc.v1.CheckRequest;
import dev.toolgate.grpc.v1.CheckResponse;
import dev.toolgate.grpc.v1.DryRun;
import dev.toolgate.grpc.v1.FallbackCall;
import dev.toolgate.grpc.v1.Obligations;
import dev.toolgate.grpc.v1.PolicyDecision;
import dev.toolgate.grpc.v1.QueryValues;
import dev.toolgate.grpc.v1.ReportRequest;
import dev.toolgate.grpc.v1.ReportResponse;
import dev.toolgate.grpc.v1.ToolGateway;
import dev.toolgate.ingress.web.CallHeaders;
import dev.toolgate.ingress.web.CheckedCalls;
import dev.toolgate.pipeline.Outcome;
import dev.toolgate.pipeline.Pipeline;
import dev.toolgate.pipeline.StageResult;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;

/**
 * {@code toolgate.v1.ToolGateway}: the gRPC twin of the check API. {@code Check} reads the described call as
 * {@code POST /v1/check} reads its document and hands it to the same {@link CheckedCalls}; {@code Report} settles
 * through the pipeline as {@code POST /v1/report} does. Identity and the {@code toolgate-*} options come from the
 * call's metadata ({@link GrpcCallMetadata}); refusals are statuses with details ({@link GrpcRefusals}).
 */
@GrpcService
public class ToolGatewayService implements ToolGateway {

    private static final Logger LOG = Logger.getLogger(ToolGatewayService.class);

    private final CheckedCalls calls;
    private final Pipeline pipeline;
    private final ObjectMapper json;
    private final int maxBodyBytes;

    ToolGatewayService(CheckedCalls calls, Pipeline pipeline, ObjectMapper json, ToolgateConfig config) {
        this.calls = calls;
        this.pipeline = pipeline;
        this.json = json;
        this.maxBodyBytes = config.http().maxBodyBytes();
    }

    @Override
    public Uni<CheckResponse> check(CheckRequest request) {
        MultiMap headers = GrpcCallMetadata.request();
        GrpcCallMetadata.Answer answer = GrpcCallMetadata.answer();
        ToolCall bare = calls.received(request.getTool(), "CHECK", "/", Map.of(), new byte[0], headers);
        byte[] raw = request.getBodyJson().getBytes(StandardCharsets.UTF_8);
        if (raw.length > maxBodyBytes) {
            return refuse(bare, Denial.of(Reason.PAYLOAD_TOO_LARGE, "body_json is " + raw.length
                    + " bytes, over the limit of " + maxBodyBytes), answer);
        }
        Optional<Denial> metadata = CallHeaders.problem(headers);
        if (metadata.isPresent()) {
            return refuse(bare, metadata.get(), answer);
        }
        if (request.getTool().isEmpty() || request.getMethod().isEmpty() || !request.getPath().startsWith("/")) {
            return refuse(bare, Denial.of(Reason.INVALID_ARGUMENTS,
                    "tool, method and path (starting with /) are required strings"), answer);
        }
        byte[] body = new byte[0];
        if (raw.length > 0) {
            StrictJson.Read read = StrictJson.STANDARD.read(raw, "body_json");
            if (read instanceof StrictJson.Read.Refused refused) {
                return refuse(bare, refused.denial(), answer);
            }
            JsonNode node = ((StrictJson.Read.Ok) read).node();
            if (!node.isObject()) {
                return refuse(bare, Denial.of(Reason.INVALID_ARGUMENTS, "body_json must be a JSON object"), answer);
            }
            // the bytes the HTTP check API decides on for the same body: its compact form
            body = node.toString().getBytes(StandardCharsets.UTF_8);
        }
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (Map.Entry<String, QueryValues> e : request.getQueryMap().entrySet()) {
            query.put(e.getKey(), new ArrayList<>(e.getValue().getValuesList()));
        }
        ToolCall described = calls.described(request.getTool(), request.getMethod().toUpperCase(Locale.ROOT),
                request.getPath(), query, body, headers);
        return calls.check(described).map(outcome -> answer(outcome, answer))
                .onFailure(e -> !(e instanceof io.grpc.StatusRuntimeException))
                .transform(fault -> fault(described.id(), fault));
    }

    @Override
    public Uni<ReportResponse> report(ReportRequest request) {
        MultiMap headers = GrpcCallMetadata.request();
        GrpcCallMetadata.Answer answer = GrpcCallMetadata.answer();
        ToolCall caller = calls.received("", "REPORT", "/", Map.of(), new byte[0], headers);
        return pipeline.identify(caller).chain(identified -> {
            if (!(identified instanceof StageResult.Continue c)) {
                Denial denial = identified instanceof StageResult.Deny deny ? deny.denial()
                        : Denial.of(Reason.UNAUTHENTICATED, "the caller could not be identified");
                return this.<ReportResponse> refuse(caller, denial, answer);
            }
            if (request.getDecisionId().isEmpty()
                    || request.hasCostUsdMicros() && request.getCostUsdMicros() < 0) {
                return refuse(c.call(), Denial.of(Reason.INVALID_ARGUMENTS,
                        "a report is {decision_id: string, cost_usd_micros?: integer >= 0, status?: string}"), answer);
            }
            String decisionId = request.getDecisionId();
            OptionalLong actual = request.hasCostUsdMicros() ? OptionalLong.of(request.getCostUsdMicros())
                    : OptionalLong.empty();
            String status = request.getStatus().isEmpty() ? "reported" : request.getStatus();
            return pipeline.report(decisionId, c.call().principal().orElseThrow(), actual, status)
                    .chain(reported -> {
                        if (reported.isEmpty()) {
                            // audited as a refusal of its own; the answer names the decision it was about
                            return this.<ReportResponse> refuse(c.call(), Denial.of(Reason.INVALID_ARGUMENTS,
                                    "no open check with this decision id for this agent: unknown, already reported,"
                                            + " or its lease ran out")
                                    .with("reported_decision_id", decisionId), answer);
                        }
                        answer.decided(decisionId, "");
                        ReportResponse.Builder out = ReportResponse.newBuilder().setDecisionId(decisionId)
                                .setSettled(true);
                        actual.ifPresent(out::setCostUsdMicros);
                        return Uni.createFrom().item(out.build());
                    });
        }).onFailure(e -> !(e instanceof io.grpc.StatusRuntimeException))
                .transform(fault -> fault(caller.id(), fault));
    }

    /** An allowed check, a replayed one or a dry run's proposal as the response; a refusal as its status. */
    private CheckResponse answer(Outcome<ObjectNode> outcome, GrpcCallMetadata.Answer answer) {
        answer.decided(outcome.call().id(), outcome.policyRevision());
        return switch (outcome) {
            case Outcome.Answered<ObjectNode> a -> allowed(a.reply(), outcome).build();
            case Outcome.Replayed<ObjectNode> r -> allowed(r.reply(), outcome).setIdempotentReplay(true).build();
            case Outcome.Refused<ObjectNode> r -> throw GrpcRefusals.of(json, r.call(), r.policyRevision(),
                    r.denial());
            case Outcome.Proposed<ObjectNode> p -> proposal(p);
        };
    }

    /** The check API's allowed document (kept for replays) as the response. */
    private static CheckResponse.Builder allowed(ObjectNode doc, Outcome<ObjectNode> outcome) {
        CheckResponse.Builder out = CheckResponse.newBuilder()
                .setDecision(dev.toolgate.grpc.v1.Verdict.ALLOW)
                .setDecisionId(doc.path("decision_id").asText())
                .setPolicyRevision(outcome.policyRevision())
                .setTool(doc.path("tool").asText(""))
                .setAction(doc.path("action").asText(""))
                .setArgsSha256(doc.path("args_sha256").asText(""))
                .setReportWithinSeconds(doc.path("report_within_seconds").asLong())
                .addAllRateLimits(GrpcRefusals.rateLimits(outcome.call().usage()));
        Obligations.Builder obligations = Obligations.newBuilder();
        doc.path("obligations").path("redact").forEach(path -> obligations.addRedact(path.asText()));
        out.setObligations(obligations);
        JsonNode from = doc.path("degraded_from");
        if (from.isObject()) {
            out.setFallback(FallbackCall.newBuilder()
                    .setFromTool(from.path("tool").asText(""))
                    .setFromAction(from.path("action").asText(""))
                    .setAction(doc.path("action").asText(""))
                    .setMethod(doc.path("method").asText(""))
                    .setPath(doc.path("path").asText("")));
        }
        return out;
    }

    /** A dry run: the decision enforcing would have made, and why. */
    private CheckResponse proposal(Outcome.Proposed<ObjectNode> proposed) {
        ToolCall call = proposed.call();
        DryRun.Builder dryRun = DryRun.newBuilder().setWouldForward(proposed.denial().isEmpty());
        proposed.denial().ifPresent(d -> dryRun.setRefusal(GrpcRefusals.denial(d, call.id(),
                proposed.policyRevision(), call.usage()).setProblemJson(
                        dev.toolgate.ingress.web.ProblemDocuments.document(json, d, call.id()).toString())));
        call.action().ifPresent(a -> dryRun.setPayloadSha256(a.payloadSha256()));
        call.decision().ifPresent(d -> dryRun.setPolicy(policy(d)));
        call.approvalNeeded().ifPresent(tier -> dryRun.setApproval(tier.code()));
        CheckResponse.Builder out = CheckResponse.newBuilder()
                .setDecision(proposed.denial().isEmpty() ? dev.toolgate.grpc.v1.Verdict.ALLOW
                        : dev.toolgate.grpc.v1.Verdict.DENY)
                .setDecisionId(call.id())
                .setPolicyRevision(proposed.policyRevision())
                .setTool(call.tool())
                .addAllRateLimits(GrpcRefusals.rateLimits(call.usage()))
                .setDryRun(dryRun);
        call.action().ifPresent(a -> out.setAction(a.action().name()).setArgsSha256(a.argsSha256()));
        return out.build();
    }

    private static PolicyDecision policy(Decision d) {
        return PolicyDecision.newBuilder().setAllow(d.allow()).addAllReasons(d.reasons())
                .setApproval(d.approval().code())
                .setObligations(Obligations.newBuilder().addAllRedact(d.redact()))
                .build();
    }

    private <T> Uni<T> refuse(ToolCall call, Denial denial, GrpcCallMetadata.Answer answer) {
        return calls.refuse(call, denial).map(outcome -> {
            answer.decided(outcome.call().id(), outcome.policyRevision());
            if (outcome instanceof Outcome.Refused<ObjectNode> r) {
                throw GrpcRefusals.of(json, r.call(), r.policyRevision(), r.denial());
            }
            throw new IllegalStateException("a refusal that is not refused: " + outcome.getClass().getSimpleName());
        });
    }

    /** A handling that failed where it promised not to (a bug, not a decision): INTERNAL, gateway_error. */
    private Throwable fault(String decisionId, Throwable fault) {
        LOG.warnf("gRPC request %s failed: %s", decisionId, fault.toString());
        LOG.debug("gRPC request fault", fault);
        return GrpcRefusals.of(json, decisionId, "", Denial.of(Reason.GATEWAY_ERROR,
                "the gateway could not handle the request"));
    }
}
