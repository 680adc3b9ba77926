package dev.toolgate.admin;

import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.StrictJson;
import dev.toolgate.ingress.web.Callers;
import dev.toolgate.limits.Keys;
import dev.toolgate.limits.KillSwitchBoard;
import dev.toolgate.limits.LimitsStore;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Runtime kill switches of the caller's own tenant, held in memory by every instance and checked right after identity
 * (see {@link dev.toolgate.limits.KillSwitchStage}), and again by the limits stage in its atomic step: {@code PUT
 * /admin/kill-switches/{kind}/{value}} with {@code {"reason": "..."}} engages one,
 * {@code DELETE} clears it. {@code kind} is {@code agent}, {@code tool} or {@code workflow}; {@code tenant/*} stops
 * every call of the tenant. Needs the {@code admin} role. (Kill switches of the contract stay in force regardless.) While
 * the store cannot be reached a change is refused (503 {@code limits_unavailable}): a switch is either in the store,
 * where every instance learns it, or nowhere.
 */
@ApplicationScoped
public class KillSwitchAdmin {

    private static final Logger LOG = Logger.getLogger(KillSwitchAdmin.class);
    private static final Set<String> KINDS = Set.of("agent", "tool", "workflow", "tenant");

    private final Callers callers;
    private final LimitsStore store;
    private final KillSwitchBoard board;
    private final ObjectMapper json;

    KillSwitchAdmin(Callers callers, LimitsStore store, KillSwitchBoard board, ObjectMapper json) {
        this.callers = callers;
        this.store = store;
        this.board = board;
        this.json = json;
    }

    void routes(@Observes Router router) {
        router.put("/admin/kill-switches/:kind/:value").handler(BodyHandler.create(false).setBodyLimit(4096))
                .handler(rc -> change(rc, true));
        router.delete("/admin/kill-switches/:kind/:value").handler(rc -> change(rc, false));
    }

    private void change(RoutingContext rc, boolean engage) {
        callers.withRole(rc, BudgetAdmin.ADMIN_ROLE, "admin API", who -> {
            String kind = rc.pathParam("kind");
            String value = rc.pathParam("value");
            if (!KINDS.contains(kind) || value.isBlank() || kind.equals("tenant") != value.equals("*")) {
                callers.fail(rc, Denial.of(Reason.INVALID_ARGUMENTS,
                        "kill switches are agent/{id}, tool/{name}, workflow/{name} or tenant/*"));
                return;
            }
            StrictJson.Read body = engage ? read(rc) : new StrictJson.Read.Ok(json.createObjectNode());
            if (body instanceof StrictJson.Read.Refused refused) {
                callers.fail(rc, refused.denial());
                return;
            }
            Optional<String> reason = engage ? reason(((StrictJson.Read.Ok) body).node()) : Optional.empty();
            if (engage && reason.isEmpty()) {
                callers.fail(rc, Denial.of(Reason.INVALID_ARGUMENTS, "engaging needs {\"reason\": \"...\"}"));
                return;
            }
            String field = kind.equals("tenant") ? "*" : Keys.killField(kind, value);
            store.kill(who.tenant(), field, reason).subscribe().with(done -> {
                // this instance stops calls at once; the others learn it from the store within a second
                board.apply(who.tenant(), field, reason);
                LOG.warnf("kill switch %s of tenant %s %s by %s", field, who.tenant(), engage ? "engaged" : "cleared",
                        who.agent());
                ObjectNode doc = json.createObjectNode();
                doc.put("tenant", who.tenant());
                doc.put("kill_switch", field);
                doc.put("engaged", engage);
                reason.ifPresent(r -> doc.put("reason", r));
                rc.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(doc.toString());
            }, fault -> callers.fail(rc, Denial.of(Reason.LIMITS_UNAVAILABLE, "the limits store cannot be reached: "
                    + "the kill switch is not " + (engage ? "engaged" : "cleared") + " (the switches in force stay "
                    + "in force on every instance); try again when Redis is back")));
        });
    }

    /** The body, read strictly, as every client's JSON is; an empty one has no reason. */
    private StrictJson.Read read(RoutingContext rc) {
        if (rc.body() == null || rc.body().length() == 0) {
            return new StrictJson.Read.Ok(json.createObjectNode());
        }
        return StrictJson.mediaType(rc.request().getHeader("Content-Type")).<StrictJson.Read> map(StrictJson.Read.Refused::new)
                .orElseGet(() -> StrictJson.STANDARD.read(rc.body().buffer().getBytes(), "the body"));
    }

    private static Optional<String> reason(JsonNode body) {
        return body.path("reason").isTextual() && !body.get("reason").asText().isBlank()
                ? Optional.of(body.get("reason").asText())
                : Optional.empty();
    }
}
