package dev.toolgate.ingress.web;

import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import dev.toolgate.call.CallIds;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Invocation;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Protocol;
import dev.toolgate.call.Reason;
import dev.toolgate.call.Secret;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.Active;
import dev.toolgate.pipeline.Pipeline;
import dev.toolgate.pipeline.StageResult;
import io.vertx.ext.web.RoutingContext;

/**
 * Identifies the caller of a management API (approvals, admin) exactly as a tool call is identified (Authorization
 * only), and checks a role: a missing identity is 401 {@code unauthenticated}, a missing role 403.
 */
@ApplicationScoped
public class Callers {

    private final Pipeline pipeline;
    private final HttpAnswers answers;
    private final Active active;

    Callers(Pipeline pipeline, HttpAnswers answers, Active active) {
        this.pipeline = pipeline;
        this.answers = answers;
        this.active = active;
    }

    /** Where a request's identified caller is kept, so that a refusal later in the request is audited as theirs. */
    private static final String CALLER = "toolgate.caller";

    /** Runs {@code then} with the caller when it is identified and has {@code role}; answers the problem otherwise. */
    public void withRole(RoutingContext rc, String role, String api, Consumer<Principal> then) {
        identified(rc, role, api, then);
    }

    /** Runs {@code then} with the caller when it is identified, whatever its roles; answers the problem otherwise. */
    public void identified(RoutingContext rc, String api, Consumer<Principal> then) {
        identified(rc, null, api, then);
    }

    private void identified(RoutingContext rc, String role, String api, Consumer<Principal> then) {
        ToolCall caller = received(rc);
        rc.put(CALLER, caller);
        pipeline.identify(caller).subscribe().with(result -> {
            if (!(result instanceof StageResult.Continue c)) {
                fail(rc, result instanceof StageResult.Deny d ? d.denial()
                        : Denial.of(Reason.UNAUTHENTICATED, "the caller could not be identified"));
                return;
            }
            rc.put(CALLER, c.call());
            Principal who = c.call().principal().orElseThrow();
            if (role != null && !who.roles().contains(role)) {
                fail(rc, Denial.of(Reason.TOOL_NOT_GRANTED, "the " + api + " needs the " + role + " role"));
                return;
            }
            then.accept(who);
        }, fault -> fail(rc, Denial.of(Reason.GATEWAY_ERROR, "the caller could not be identified")));
    }

    /**
     * Answers a problem document for a management API request, audited as a denial (of the identified caller, when
     * there is one); an audit record that cannot be written turns it into {@code gateway_error}.
     */
    public void fail(RoutingContext rc, Denial denial) {
        ToolCall caller = rc.get(CALLER);
        ToolCall refused = caller != null ? caller : received(rc);
        pipeline.<Void> refuse(refused, denial).subscribe().with(
                outcome -> answers.write(rc, outcome, (response, nothing) -> response.end()),
                fault -> answers.problem(rc, refused.id(), active.policyRevision(), Denial.of(Reason.GATEWAY_ERROR,
                        "the refusal could not be recorded")));
    }

    private static ToolCall received(RoutingContext rc) {
        return ToolCall.received(CallIds.next(), Protocol.HTTP, "",
                new Invocation(rc.request().method().name(), "/", Map.of(), new byte[0]),
                new Secret(rc.request().getHeader("Authorization")), "", Mode.ENFORCE, Instant.now());
    }
}
