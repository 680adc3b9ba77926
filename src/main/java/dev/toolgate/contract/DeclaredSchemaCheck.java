package dev.toolgate.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.Denial;
import dev.toolgate.call.Reason;
import dev.toolgate.call.ResolvedAction;
import dev.toolgate.call.ToolCall;
import dev.toolgate.pipeline.CallContext;
import dev.toolgate.pipeline.StageResult;
import dev.toolgate.pipeline.ToolSchemas;
import io.smallrye.mutiny.Uni;

/**
 * The second half of argument checking: the schema the tool declares for itself ({@link ToolSchemas}), asked for once
 * the call's action is resolved, granted and not stopped by a kill switch, and compiled by its own {@code $schema}.
 * A schema that cannot be learned or compiled refuses the call: the check is never switched off by a tool that does
 * not answer. Compiled schemas are kept by their text, so that a schema is compiled once however many calls use it.
 */
final class DeclaredSchemaCheck {

    /** Distinct schema texts kept compiled; past this the cache starts afresh (a server changing its schemas often). */
    private static final int MAX_KEPT = 1024;

    private final Map<String, DeclaredSchemas.Compiled> compiled = new ConcurrentHashMap<>();

    /** The call, continued when its arguments satisfy the tool's own schema (or it declares none). */
    Uni<StageResult> check(ToolCall call, CallContext ctx) {
        ResolvedAction a = call.action().orElseThrow(() -> new IllegalStateException("no resolved action"));
        if (a.action().role() != ActionSpec.Role.TOOL) {
            // resources, prompts and session messages: the server checks their params itself
            return Uni.createFrom().item(StageResult.next(call));
        }
        String what = "the inputSchema of " + a.tool().name() + " tool " + a.action().name();
        return Uni.createFrom().deferred(() -> ctx.schemas().inputSchema(a.tool(), a.action().name()))
                .onFailure().recoverWithItem(fault -> new ToolSchemas.Lookup.Unavailable("the lookup failed"))
                .map(lookup -> switch (lookup) {
                    case ToolSchemas.Lookup.Undeclared u -> StageResult.next(call);
                    case ToolSchemas.Lookup.Unavailable u -> StageResult.deny(Denial.of(Reason.UPSTREAM_UNAVAILABLE,
                            what + " could not be learned: " + u.why()));
                    case ToolSchemas.Lookup.Declared d -> switch (compile(d)) {
                        case DeclaredSchemas.Compiled.Refused r -> StageResult.deny(Denial.of(
                                Reason.UPSTREAM_UNAVAILABLE, what + " cannot be used: " + r.problems().get(0)));
                        case DeclaredSchemas.Compiled.Ok ok -> validated(call, a, ok);
                    };
                });
    }

    private static StageResult validated(ToolCall call, ResolvedAction a, DeclaredSchemas.Compiled.Ok ok) {
        List<String> errors = new ArrayList<>();
        ok.schema().validate(a.args()).forEach(e -> errors.add("inputSchema " + e));
        return errors.isEmpty() ? StageResult.next(call)
                : StageResult.deny(Denial.of(Reason.INVALID_ARGUMENTS, "the arguments do not match the inputSchema "
                        + "that " + a.tool().name() + " declares for tool " + a.action().name(), errors));
    }

    private DeclaredSchemas.Compiled compile(ToolSchemas.Lookup.Declared declared) {
        DeclaredSchemas.Compiled known = compiled.get(declared.source());
        if (known != null) {
            return known;
        }
        DeclaredSchemas.Compiled fresh = DeclaredSchemas.compile(declared.schema());
        if (compiled.size() >= MAX_KEPT) {
            compiled.clear();
        }
        compiled.put(declared.source(), fresh);
        return fresh;
    }
}
