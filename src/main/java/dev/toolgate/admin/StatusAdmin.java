package dev.toolgate.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.contract.ContractReloader;
import dev.toolgate.ingress.web.Callers;
import dev.toolgate.pipeline.Active;
import dev.toolgate.policy.PolicyReloader;
import dev.toolgate.policy.ShadowPolicy;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /admin/status} (the {@code admin} role): what this instance runs: the contract and policy bundle in force
 * (revision, when loaded), the shadow bundle, and why the last new contract or bundle was refused, if one was.
 */
@ApplicationScoped
public class StatusAdmin {

    private final Callers callers;
    private final Active active;
    private final ShadowPolicy shadow;
    private final PolicyReloader policyReloader;
    private final ContractReloader contractReloader;
    private final ObjectMapper json;

    StatusAdmin(Callers callers, Active active, ShadowPolicy shadow, PolicyReloader policyReloader,
            ContractReloader contractReloader, ObjectMapper json) {
        this.callers = callers;
        this.active = active;
        this.shadow = shadow;
        this.policyReloader = policyReloader;
        this.contractReloader = contractReloader;
        this.json = json;
    }

    void routes(@Observes Router router) {
        router.get("/admin/status").handler(rc -> callers.withRole(rc, BudgetAdmin.ADMIN_ROLE, "admin API",
                who -> status(rc)));
    }

    private void status(RoutingContext rc) {
        ObjectNode doc = json.createObjectNode();
        ObjectNode contract = doc.putObject("contract");
        contract.put("revision", active.snapshot().contract().revision());
        contract.put("loaded_at", active.contractLoadedAt().toString());
        contract.put("last_refusal", contractReloader.lastRefusal().isEmpty() ? null : contractReloader.lastRefusal());
        ObjectNode policy = doc.putObject("policy");
        policy.put("revision", active.policyRevision());
        policy.put("loaded_at", active.policyLoadedAt().toString());
        policy.put("shadow_revision", shadow.revision().orElse(null));
        policy.put("last_refusal", policyReloader.lastRefusal().isEmpty() ? null : policyReloader.lastRefusal());
        try {
            rc.response().putHeader("Content-Type", "application/json").end(json.writeValueAsString(doc));
        } catch (JsonProcessingException e) {
            callers.fail(rc, Denial.of(Reason.GATEWAY_ERROR, "the status could not be written"));
        }
    }
}
