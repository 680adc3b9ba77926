package dev.toolgate.ingress.grpc;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.call.Usage;
import dev.toolgate.grpc.v1.RateLimitState;
import dev.toolgate.ingress.web.ProblemDocuments;
import dev.toolgate.ingress.web.RateLimitHeaders;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * Refusals as gRPC answers: the status code of each reason, and status details a client can switch on: a
 * {@code google.rpc.ErrorInfo} (reason = toolgate's code, domain {@value #DOMAIN}) and the whole
 * {@code toolgate.v1.Denial}.
 */
final class GrpcRefusals {

    static final String DOMAIN = "toolgate.dev";

    private GrpcRefusals() {
    }

    static Status.Code code(Reason reason) {
        return switch (reason) {
            case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
            case TOOL_NOT_GRANTED, KILL_SWITCH, POLICY_DENIED -> Status.Code.PERMISSION_DENIED;
            case INVALID_ARGUMENTS, UNSUPPORTED_MEDIA_TYPE -> Status.Code.INVALID_ARGUMENT;
            case APPROVAL_REQUIRED, APPROVAL_INVALID -> Status.Code.FAILED_PRECONDITION;
            case RATE_LIMITED, BUDGET_EXCEEDED, PAYLOAD_TOO_LARGE, REQUEST_TOO_LARGE -> Status.Code.RESOURCE_EXHAUSTED;
            case IDEMPOTENCY_CONFLICT -> Status.Code.ABORTED;
            case UPSTREAM_TIMEOUT -> Status.Code.DEADLINE_EXCEEDED;
            case UPSTREAM_UNAVAILABLE, LIMITS_UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case NOT_FOUND, METHOD_NOT_ALLOWED -> Status.Code.UNIMPLEMENTED;
            case GATEWAY_ERROR -> Status.Code.INTERNAL;
        };
    }

    /** The refusal of {@code call} (its usage, its fallback), answered under {@code policyRevision}. */
    static StatusRuntimeException of(ObjectMapper json, ToolCall call, String policyRevision, Denial denial) {
        String problem = ProblemDocuments.degradation(ProblemDocuments.document(json, denial, call.id()), call)
                .toString();
        return of(denial, call.id(), policyRevision, problem, call.usage());
    }

    /** A refusal that is not a call's outcome (a fault before there was one). */
    static StatusRuntimeException of(ObjectMapper json, String decisionId, String policyRevision, Denial denial) {
        return of(denial, decisionId, policyRevision,
                ProblemDocuments.document(json, denial, decisionId).toString(), Usage.NONE);
    }

    private static StatusRuntimeException of(Denial denial, String decisionId, String policyRevision,
            String problem, Usage usage) {
        ErrorInfo.Builder info = ErrorInfo.newBuilder().setReason(denial.reason().code()).setDomain(DOMAIN)
                .putMetadata("decision_id", decisionId)
                .putMetadata("policy_revision", policyRevision);
        dev.toolgate.grpc.v1.Refusal.Builder details = denial(denial, decisionId, policyRevision, usage)
                .setProblemJson(problem);
        if (!details.getApprovalId().isEmpty()) {
            info.putMetadata("approval_id", details.getApprovalId());
        }
        if (details.getRetryAfterSeconds() > 0) {
            info.putMetadata("retry_after_seconds", Long.toString(details.getRetryAfterSeconds()));
        }
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code(denial.reason()).value())
                .setMessage(denial.reason().code() + ": " + denial.detail())
                .addDetails(Any.pack(info.build()))
                .addDetails(Any.pack(details.build()))
                .build();
        Metadata trailers = new Metadata();
        trailers.put(GrpcCallMetadata.DECISION_ID, decisionId);
        if (!policyRevision.isEmpty()) {
            trailers.put(GrpcCallMetadata.POLICY_REVISION, policyRevision);
        }
        return StatusProto.toStatusRuntimeException(status, trailers);
    }

    /** The denial as a message, without its problem document. */
    static dev.toolgate.grpc.v1.Refusal.Builder denial(Denial denial, String decisionId, String policyRevision,
            Usage usage) {
        Map<String, Object> ext = denial.extensions();
        dev.toolgate.grpc.v1.Refusal.Builder out = dev.toolgate.grpc.v1.Refusal.newBuilder()
                .setReason(denial.reason().code())
                .setDetail(denial.detail())
                .setDecisionId(decisionId)
                .setPolicyRevision(policyRevision)
                .addAllErrors(denial.errors())
                .addAllRateLimits(rateLimits(usage));
        if (ext.get("approval_id") instanceof String id) {
            out.setApprovalId(id);
        }
        if (ext.get("approval_tier") instanceof String tier) {
            out.setApprovalTier(tier);
        }
        if (ext.get("retry_after") instanceof Number seconds) {
            out.setRetryAfterSeconds(seconds.longValue());
        }
        if (ext.get("reasons") instanceof List<?> reasons) {
            reasons.forEach(r -> out.addReasons(String.valueOf(r)));
        }
        return out;
    }

    /** The rate limits that counted a call: the IETF RateLimit fields, in whole seconds rounded up. */
    static List<RateLimitState> rateLimits(Usage usage) {
        return usage.rates().stream().map(rate -> RateLimitState.newBuilder()
                .setName(rate.name())
                .setQuota(rate.permits())
                .setWindowSeconds(RateLimitHeaders.seconds(rate.period()))
                .setRemaining(rate.remaining())
                .setResetSeconds(RateLimitHeaders.seconds(rate.reset()))
                .build()).toList();
    }
}
