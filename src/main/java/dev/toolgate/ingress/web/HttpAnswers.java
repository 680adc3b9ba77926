package dev.toolgate.ingress.web;

import java.util.Map;
import java.util.function.BiConsumer;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ToolCall;
import dev.toolgate.forward.HttpReply;
import dev.toolgate.pipeline.Outcome;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes the pipeline's outcome as the HTTP answer (for the tool gateway and the check API); every answer carries the
 * decision id, the policy revision and the rate-limit header fields.
 */
@ApplicationScoped
public class HttpAnswers {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(HttpAnswers.class);

    static final String DECISION_ID = "Toolgate-Decision-Id";
    static final String POLICY_REVISION = "Toolgate-Policy-Revision";
    /** On the answer of a fallback call: the {@code tool/action} the agent called, which the fallback replaced. */
    public static final String DEGRADED_FROM = "Toolgate-Degraded-From";

    private final ObjectMapper json;

    HttpAnswers(ObjectMapper json) {
        this.json = json;
    }

    public void write(RoutingContext rc, Outcome<HttpReply> outcome) {
        write(rc, outcome, HttpAnswers::reply);
    }

    /** Writes an outcome whose reply is written by {@code replyWriter}. */
    public <R> void write(RoutingContext rc, Outcome<R> outcome, BiConsumer<HttpServerResponse, R> replyWriter) {
        HttpServerResponse response = rc.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.putHeader(DECISION_ID, outcome.call().id());
        response.putHeader(POLICY_REVISION, outcome.policyRevision());
        RateLimitHeaders.write(response, outcome.call().usage());
        ProblemDocuments.degradedFrom(outcome.call()).ifPresent(from -> response.putHeader(DEGRADED_FROM, from));
        switch (outcome) {
            case Outcome.Answered<R> a -> replyWriter.accept(response, a.reply());
            case Outcome.Replayed<R> r -> {
                response.putHeader("Toolgate-Idempotent-Replay", "true");
                replyWriter.accept(response, r.reply());
            }
            case Outcome.Refused<R> r -> problem(response, r.call(), r.denial());
            case Outcome.Proposed<R> p -> proposal(response, p);
        }
    }

    private static void reply(HttpServerResponse response, HttpReply reply) {
        response.setStatusCode(reply.status());
        for (Map.Entry<String, String> h : reply.headers()) {
            if (!h.getKey().equalsIgnoreCase(DECISION_ID) && !h.getKey().equalsIgnoreCase(POLICY_REVISION)) {
                response.headers().add(h.getKey(), h.getValue());
            }
        }
        response.end(reply.body());
    }

    /**
     * The answer to a request whose handling failed where it promised not to (a bug, not a decision): a
     * {@code gateway_error} problem when nothing was written yet, else the answer is cut off. Never silence.
     */
    public void fault(RoutingContext rc, String decisionId, Throwable fault) {
        LOG.warnf("request %s failed: %s", decisionId, fault.toString());
        LOG.debug("request fault", fault);
        if (rc.response().ended() || rc.response().closed()) {
            return;
        }
        if (rc.response().headWritten()) {
            rc.response().reset();
            return;
        }
        problem(rc, decisionId, "", Denial.of(Reason.GATEWAY_ERROR, "the gateway could not handle the request"));
    }

    /** A problem document for something that is not a call outcome (e.g. a report the gateway cannot match). */
    public void problem(RoutingContext rc, String decisionId, String policyRevision, Denial denial) {
        HttpServerResponse response = rc.response();
        response.putHeader(DECISION_ID, decisionId);
        response.putHeader(POLICY_REVISION, policyRevision);
        response.setStatusCode(ProblemDocuments.status(denial));
        response.putHeader("Content-Type", ProblemDocuments.CONTENT_TYPE);
        response.end(ProblemDocuments.document(json, denial, decisionId).toString());
    }

    private void problem(HttpServerResponse response, ToolCall call, Denial denial) {
        response.setStatusCode(ProblemDocuments.status(denial));
        response.putHeader("Content-Type", ProblemDocuments.CONTENT_TYPE);
        ProblemDocuments.refusalHeaders(denial).forEach(h -> response.putHeader(h.getKey(), h.getValue()));
        response.end(ProblemDocuments.degradation(ProblemDocuments.document(json, denial, call.id()), call).toString());
    }

    /** A dry run's proposal: what enforcing would have done, as 200 JSON. */
    private void proposal(HttpServerResponse response, Outcome.Proposed<?> proposed) {
        response.setStatusCode(200);
        response.putHeader("Content-Type", "application/json");
        response.end(ProblemDocuments.proposal(json, proposed).toString());
    }
}
