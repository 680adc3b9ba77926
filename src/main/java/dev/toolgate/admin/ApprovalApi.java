package dev.toolgate.admin;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.approval.ApprovalStore;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Reason;
import dev.toolgate.call.StrictJson;
import dev.toolgate.ingress.web.Callers;
import dev.toolgate.pipeline.ApprovalEvent;
import dev.toolgate.pipeline.AuditLog;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The approval API: {@code GET /v1/approvals[?tool=]} (pending requests), {@code GET /v1/approvals/{id}},
 * {@code POST /v1/approvals/{id}/approve} and {@code .../reject}. Approvers authenticate like agents (API key or JWT)
 * and need the {@code approver} role; they see and decide their own tenant's requests only. Approving an irreversible
 * call needs {@code {"payload_sha256": "..."}}, the hash the approver reviewed.
 */
@ApplicationScoped
public class ApprovalApi {

    static final String APPROVER_ROLE = "approver";

    private final Callers callers;
    private final ApprovalStore store;
    private final AuditLog audit;
    private final ObjectMapper json;

    ApprovalApi(Callers callers, ApprovalStore store, AuditLog audit, ObjectMapper json) {
        this.callers = callers;
        this.store = store;
        this.audit = audit;
        this.json = json;
    }

    void routes(@Observes Router router) {
        router.get("/v1/approvals").handler(rc -> approver(rc, who -> list(rc, who)));
        router.get("/v1/approvals/:id").handler(rc -> approver(rc, who -> show(rc, who)));
        router.post("/v1/approvals/:id/approve").handler(BodyHandler.create(false).setBodyLimit(16 * 1024))
                .handler(rc -> approver(rc, who -> decide(rc, who, true)));
        router.post("/v1/approvals/:id/reject").handler(BodyHandler.create(false).setBodyLimit(16 * 1024))
                .handler(rc -> approver(rc, who -> decide(rc, who, false)));
    }

    private void approver(RoutingContext rc, Consumer<Principal> then) {
        callers.withRole(rc, APPROVER_ROLE, "approval API", then);
    }

    private void list(RoutingContext rc, Principal who) {
        store.pending(who.tenant(), Optional.ofNullable(rc.queryParams().get("tool")), Instant.now()).subscribe().with(
                pending -> {
                    ObjectNode doc = json.createObjectNode();
                    pending.forEach(a -> doc.withArray("approvals").add(document(a)));
                    doc.withArray("approvals");
                    ok(rc, doc);
                }, fault -> fail(rc, unavailable()));
    }

    private void show(RoutingContext rc, Principal who) {
        store.get(who.tenant(), rc.pathParam("id")).subscribe().with(
                found -> found.ifPresentOrElse(a -> ok(rc, document(a)),
                        () -> fail(rc, invalid("not_found", "no such approval for this tenant"))),
                fault -> fail(rc, unavailable()));
    }

    private void decide(RoutingContext rc, Principal who, boolean approve) {
        StrictJson.Read read = read(rc);
        if (read instanceof StrictJson.Read.Refused refused) {
            fail(rc, refused.denial());
            return;
        }
        JsonNode body = ((StrictJson.Read.Ok) read).node();
        if (!body.isObject()) {
            fail(rc, Denial.of(Reason.INVALID_ARGUMENTS, "the body must be a JSON object or empty"));
            return;
        }
        Optional<String> reviewed = body.path("payload_sha256").isTextual()
                ? Optional.of(body.get("payload_sha256").asText())
                : Optional.empty();
        String id = rc.pathParam("id");
        store.decide(who.tenant(), id, new ApprovalStore.Sign(who.agent(), approve, reviewed), Instant.now())
                .subscribe().with(decided -> {
                    switch (decided) {
                        case ApprovalStore.Decided.Recorded r -> audit.approval(new ApprovalEvent(
                                approve ? "approved" : "rejected", id, "", who.tenant(), who.agent(), r.approval().tool(),
                                r.approval().action(), r.approval().payloadSha256(), r.approval().tier().code(),
                                r.approval().state().code())).subscribe().with(v -> ok(rc, document(r.approval())),
                                        fault -> fail(rc, Denial.of(Reason.GATEWAY_ERROR,
                                                "the decision is recorded but its audit record failed")));
                        case ApprovalStore.Decided.Refused r -> fail(rc, refused(r.cause()));
                    }
                }, fault -> fail(rc, unavailable()));
    }

    private ObjectNode document(ApprovalStore.Approval a) {
        ObjectNode doc = json.createObjectNode();
        doc.put("approval_id", a.id());
        doc.put("state", a.state().code());
        doc.put("tenant", a.tenant());
        doc.put("agent", a.agent());
        doc.put("run_id", a.runId());
        doc.put("tool", a.tool());
        doc.put("action", a.action());
        doc.put("approval_tier", a.tier().code());
        doc.put("signoffs_needed", a.signOffsNeeded());
        doc.put("irreversible", a.irreversible());
        doc.put("payload_sha256", a.payloadSha256());
        doc.set("preview", a.preview());
        a.reasons().forEach(doc.putArray("reasons")::add);
        a.approvers().forEach(doc.putArray("approvers")::add);
        doc.withArray("approvers");
        doc.withArray("reasons");
        a.rejectedBy().ifPresent(r -> doc.put("rejected_by", r));
        doc.put("created_at", a.createdAt().toString());
        doc.put("expires_at", a.expiresAt().toString());
        return doc;
    }

    private static Denial refused(ApprovalStore.Decided.Cause cause) {
        String why = switch (cause) {
            case NOT_FOUND -> "no such approval for this tenant";
            case NOT_PENDING -> "the approval is no longer pending";
            case EXPIRED -> "the approval has expired";
            case SELF_APPROVAL -> "an approver cannot approve a call of their own principal";
            case SAME_APPROVER -> "this approver already signed; dual approval needs a second, distinct approver";
            case PAYLOAD_HASH_REQUIRED -> "an irreversible call is approved by sending back the payload_sha256 reviewed";
            case PAYLOAD_HASH_MISMATCH -> "the payload_sha256 sent is not the one this approval is bound to";
        };
        return invalid(cause.name().toLowerCase(Locale.ROOT), why);
    }

    private static Denial invalid(String cause, String why) {
        return Denial.of(Reason.APPROVAL_INVALID, why).with("cause", cause);
    }

    private static Denial unavailable() {
        return Denial.of(Reason.GATEWAY_ERROR, "the approval store cannot be reached");
    }

    /** The body, empty meaning {@code {}}; read strictly, as every client's JSON is. */
    private StrictJson.Read read(RoutingContext rc) {
        if (rc.body() == null || rc.body().buffer() == null || rc.body().length() == 0) {
            return new StrictJson.Read.Ok(json.createObjectNode());
        }
        return StrictJson.mediaType(rc.request().getHeader("Content-Type")).<StrictJson.Read> map(StrictJson.Read.Refused::new)
                .orElseGet(() -> StrictJson.STANDARD.read(rc.body().buffer().getBytes(), "the body"));
    }

    private void ok(RoutingContext rc, ObjectNode doc) {
        rc.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(doc.toString());
    }

    private void fail(RoutingContext rc, Denial denial) {
        callers.fail(rc, denial);
    }

}
