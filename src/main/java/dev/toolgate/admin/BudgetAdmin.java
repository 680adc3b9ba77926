package dev.toolgate.admin;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.BudgetSpec;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.ingress.web.Callers;
import dev.toolgate.limits.Keys;
import dev.toolgate.limits.LimitsStore;
import dev.toolgate.pipeline.Active;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads and resets a budget ledger of the caller's own tenant: {@code GET /admin/budgets/{budget}} and
 * {@code POST /admin/budgets/{budget}/reset}, with {@code ?agent=A&run=ID} (run budgets),
 * {@code ?agent=A&day=YYYY-MM-DD} (agent budgets), {@code ?workflow=W&day=YYYY-MM-DD} (workflow budgets; day defaults
 * to today, UTC) or {@code ?month=YYYY-MM} (tenant budgets; defaults to this month).
 * The caller authenticates like any agent and needs the {@code admin} role.
 */
@ApplicationScoped
public class BudgetAdmin {

    static final String ADMIN_ROLE = "admin";

    private final Callers callers;
    private final LimitsStore store;
    private final Active active;
    private final ObjectMapper json;

    BudgetAdmin(Callers callers, LimitsStore store, Active active, ObjectMapper json) {
        this.callers = callers;
        this.store = store;
        this.active = active;
        this.json = json;
    }

    void routes(@Observes Router router) {
        router.get("/admin/budgets/:budget").handler(rc -> admin(rc, false));
        router.post("/admin/budgets/:budget/reset").handler(rc -> admin(rc, true));
    }

    /** A ledger of one budget: its key and the window it covers. */
    private record Ledger(BudgetSpec spec, String key, String window) {
    }

    private void admin(RoutingContext rc, boolean reset) {
        callers.withRole(rc, ADMIN_ROLE, "admin API", who -> {
            ledger(rc, who.tenant()).ifPresentOrElse(ledger -> {
                Uni<Void> work = reset ? store.resetBudget(who.tenant(), ledger.key()) : Uni.createFrom().voidItem();
                work.chain(() -> store.budget(who.tenant(), ledger.key())).subscribe().with(
                        state -> state(rc, ledger, state, reset),
                        fault -> callers.fail(rc,
                                Denial.of(Reason.LIMITS_UNAVAILABLE, "the limits store cannot be reached")));
            }, () -> callers.fail(rc, Denial.of(Reason.INVALID_ARGUMENTS,
                    "unknown budget, or the ledger is not named: use ?agent=A&run=ID, ?agent=A[&day=YYYY-MM-DD],"
                            + " ?workflow=W[&day=YYYY-MM-DD] or ?month=YYYY-MM as the budget counts")));
        });
    }

    private Optional<Ledger> ledger(RoutingContext rc, String tenant) {
        String name = rc.pathParam("budget");
        Optional<BudgetSpec> spec = active.snapshot().contract().budgets().stream()
                .filter(b -> b.name().equals(name)).findFirst();
        if (spec.isEmpty()) {
            return Optional.empty();
        }
        try {
            return switch (spec.get().per()) {
                case RUN -> Optional.ofNullable(rc.queryParams().get("run"))
                        .flatMap(run -> Optional.ofNullable(rc.queryParams().get("agent")).map(agent -> new Ledger(
                                spec.get(), Keys.runBudget(tenant, name, agent, run), "agent " + agent + ", run " + run)));
                case AGENT -> Optional.ofNullable(rc.queryParams().get("agent")).map(agent -> {
                    Instant at = day(rc.queryParams().get("day"));
                    return new Ledger(spec.get(), Keys.agentBudget(tenant, name, agent, at),
                            "agent " + agent + ", " + at.atZone(ZoneOffset.UTC).toLocalDate());
                });
                case WORKFLOW -> Optional.ofNullable(rc.queryParams().get("workflow")).map(wf -> {
                    Instant at = day(rc.queryParams().get("day"));
                    return new Ledger(spec.get(), Keys.workflowBudget(tenant, name, wf, at),
                            "workflow " + wf + ", " + at.atZone(ZoneOffset.UTC).toLocalDate());
                });
                case TENANT -> {
                    String month = rc.queryParams().get("month");
                    Instant at = month == null ? Instant.now()
                            : YearMonth.parse(month).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                    yield Optional.of(new Ledger(spec.get(), Keys.tenantBudget(tenant, name, at),
                            "tenant " + tenant + ", " + YearMonth.from(at.atZone(ZoneOffset.UTC))));
                }
            };
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The UTC day named {@code YYYY-MM-DD}, or today. */
    private static Instant day(String day) {
        return day == null ? Instant.now() : LocalDate.parse(day).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private void state(RoutingContext rc, Ledger ledger, LimitsStore.BudgetState state, boolean reset) {
        ObjectNode doc = json.createObjectNode();
        doc.put("budget", ledger.spec().name());
        doc.put("per", ledger.spec().per().code());
        doc.put("window", ledger.window());
        doc.put("cap_usd_micros", ledger.spec().capUsdMicros());
        doc.put("spent_usd_micros", state.spentUsdMicros());
        doc.put("reserved_usd_micros", state.reservedUsdMicros());
        doc.put("remaining_usd_micros",
                Math.max(0, ledger.spec().capUsdMicros() - state.spentUsdMicros() - state.reservedUsdMicros()));
        doc.put("over_budget", ledger.spec().overBudget().code());
        if (reset) {
            doc.put("reset", true);
        }
        rc.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(doc.toString());
    }
}
