package dev.toolgate.admin;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.audit.RunIndex;
import dev.toolgate.audit.RunRecords;
import dev.toolgate.call.BudgetSpec;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Principal;
import dev.toolgate.call.Reason;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.ingress.web.Callers;
import dev.toolgate.limits.Keys;
import dev.toolgate.limits.LimitsStore;
import dev.toolgate.pipeline.Active;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Run records, read from the audit log: {@code GET /v1/runs/{run_id}} (one run as a document) and
 * {@code GET /v1/runs?agent=&since=&limit=} (runs, most recent first). Callers authenticate like agents and see their
 * own calls; the {@code auditor} role sees every call of its tenant. A run nobody may see is {@code not_found}, the
 * same answer as a run that does not exist, so run ids of others cannot be probed.
 */
@ApplicationScoped
public class RunApi {

    static final String AUDITOR_ROLE = "auditor";
    private static final Logger LOG = Logger.getLogger(RunApi.class);
    private static final int MAX_LIMIT = 1000;

    private final Callers callers;
    private final ObjectMapper json;
    private final RunIndex index;
    private final LimitsStore store;
    private final Active active;

    RunApi(Callers callers, ObjectMapper json, ToolgateConfig config, LimitsStore store, Active active) {
        this.callers = callers;
        this.json = json;
        this.index = RunIndex.beside(config.audit().path());
        this.store = store;
        this.active = active;
    }

    void routes(@Observes Router router) {
        router.get("/v1/runs").handler(rc -> callers.identified(rc, "run API", who -> list(rc, who)));
        router.get("/v1/runs/:id").handler(rc -> callers.identified(rc, "run API", who -> show(rc, who)));
    }

    private void show(RoutingContext rc, Principal who) {
        String runId = rc.pathParam("id");
        boolean auditor = who.roles().contains(AUDITOR_ROLE);
        Predicate<JsonNode> visible = auditor ? r -> true
                : r -> who.agent().equals(r.path("principal").path("agent").asText());
        blocking(() -> {
            ObjectNode run = RunRecords.of(who.tenant(), runId, index.records(who.tenant(), runId), visible);
            return run.path("calls").isEmpty() ? Optional.<ObjectNode> empty() : Optional.of(run);
        }).chain(found -> found.isEmpty() ? Uni.createFrom().item(found)
                : withBudgets(found.get(), who.tenant(), runId).map(Optional::of))
                .subscribe().with(found -> found.ifPresentOrElse(run -> ok(rc, run),
                        () -> callers.fail(rc, Denial.of(Reason.NOT_FOUND, "no run " + runId + " of yours"
                                + (auditor ? " or of tenant " + who.tenant() : "") + " in the audit log"))),
                        fault -> unreadable(rc, fault));
    }

    private void list(RoutingContext rc, Principal who) {
        boolean auditor = who.roles().contains(AUDITOR_ROLE);
        Optional<String> agent = Optional.ofNullable(rc.queryParams().get("agent"));
        if (!auditor && agent.isPresent() && !agent.get().equals(who.agent())) {
            callers.fail(rc, Denial.of(Reason.TOOL_NOT_GRANTED,
                    "listing another agent's runs needs the " + AUDITOR_ROLE + " role"));
            return;
        }
        Instant since;
        int limit;
        try {
            since = Optional.ofNullable(rc.queryParams().get("since")).map(Instant::parse).orElse(Instant.EPOCH);
            limit = Optional.ofNullable(rc.queryParams().get("limit")).map(Integer::parseInt).orElse(100);
        } catch (DateTimeParseException | NumberFormatException e) {
            callers.fail(rc, Denial.of(Reason.INVALID_ARGUMENTS,
                    "since must be an RFC 3339 time (2026-12-01T00:00:00Z) and limit a number"));
            return;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            callers.fail(rc, Denial.of(Reason.INVALID_ARGUMENTS, "limit must be from 1 to " + MAX_LIMIT));
            return;
        }
        Optional<String> whose = auditor ? agent : Optional.of(who.agent());
        blocking(() -> index.runs(who.tenant(), whose, since, limit)).subscribe().with(runs -> {
            ObjectNode doc = json.createObjectNode();
            ArrayNode list = doc.putArray("runs");
            for (RunIndex.RunSummary run : runs) {
                ObjectNode item = list.addObject();
                item.put("run_id", run.runId());
                item.put("tenant", run.tenant());
                ArrayNode agents = item.putArray("agents");
                run.agents().forEach(agents::add);
                item.put("first_seen", run.firstSeen().toString());
                item.put("last_seen", run.lastSeen().toString());
                item.put("records", run.records());
            }
            ok(rc, doc);
        }, fault -> unreadable(rc, fault));
    }

    /**
     * The run's budgets, from the limits store: every {@code per: run} budget of the contract that holds spend or
     * reservations of one of the run's agents (as shown), with its cap. Null when the store cannot be reached: then
     * they are not known, which is not the same as none.
     */
    private Uni<ObjectNode> withBudgets(ObjectNode run, String tenant, String runId) {
        List<BudgetSpec> perRun = active.snapshot().contract().budgets().stream()
                .filter(b -> b.per() == BudgetSpec.Scope.RUN).toList();
        List<Uni<Optional<ObjectNode>>> each = new ArrayList<>();
        for (JsonNode agent : run.path("agents")) {
            for (BudgetSpec spec : perRun) {
                each.add(store.budget(tenant, Keys.runBudget(tenant, spec.name(), agent.asText(), runId))
                        .map(state -> {
                            if (state.spentUsdMicros() == 0 && state.reservedUsdMicros() == 0) {
                                return Optional.<ObjectNode> empty();
                            }
                            ObjectNode budget = json.createObjectNode();
                            budget.put("budget", spec.name());
                            budget.put("agent", agent.asText());
                            budget.put("cap_usd_micros", spec.capUsdMicros());
                            budget.put("spent_usd_micros", state.spentUsdMicros());
                            budget.put("reserved_usd_micros", state.reservedUsdMicros());
                            return Optional.of(budget);
                        }));
            }
        }
        if (each.isEmpty()) {
            run.set("budgets", json.createArrayNode());
            return Uni.createFrom().item(run);
        }
        return Uni.join().all(each).andFailFast().map(budgets -> {
            ArrayNode list = json.createArrayNode();
            budgets.forEach(b -> b.ifPresent(list::add));
            run.set("budgets", list);
            return run;
        }).onFailure().recoverWithItem(fault -> {
            LOG.warnf("the run API could not read run budgets: %s", fault.toString());
            return run;
        });
    }

    /** Reading the log is file I/O: never on the event loop; the answer is written back on the request's context. */
    private static <T> Uni<T> blocking(java.util.function.Supplier<T> work) {
        Context context = Vertx.currentContext();
        Uni<T> read = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return context == null ? read : read.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    private void unreadable(RoutingContext rc, Throwable fault) {
        LOG.warnf("the run API could not read the audit log: %s", fault.getMessage());
        callers.fail(rc, Denial.of(Reason.GATEWAY_ERROR, "the audit log could not be read"));
    }

    private void ok(RoutingContext rc, ObjectNode doc) {
        try {
            rc.response().putHeader("Content-Type", "application/json").end(json.writeValueAsString(doc));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            unreadable(rc, e);
        }
    }

    @PreDestroy
    void close() {
        index.close();
    }
}
