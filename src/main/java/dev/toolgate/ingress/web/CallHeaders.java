package dev.toolgate.ingress.web;

import java.util.List;
import java.util.Optional;

import dev.toolgate.call.Denial;
import dev.toolgate.call.Mode;
import dev.toolgate.call.Reason;
import dev.toolgate.call.RunIds;
import dev.toolgate.call.TraceContext;
import io.vertx.core.MultiMap;

/**
 * The {@code Toolgate-*} request headers a described call carries (the gateway's and the check API's alike), read one
 * way: a value that cannot be read is refused, never dropped, and each is sent at most once, so that no second value
 * goes unchecked.
 */
public final class CallHeaders {

    public static final String RUN_ID = "Toolgate-Run-Id";
    public static final String MODE = "Toolgate-Mode";
    public static final String APPROVAL = "Toolgate-Approval";
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** The headers read one value of (the key also goes on to the tool). */
    private static final List<String> ONCE = List.of(IDEMPOTENCY_KEY, RUN_ID, MODE, APPROVAL);

    private CallHeaders() {
    }

    /** Why the headers cannot be read, if they cannot. */
    public static Optional<Denial> problem(MultiMap headers) {
        String mode = headers.get(MODE);
        if (mode != null && !mode.equalsIgnoreCase("dry-run") && !mode.equalsIgnoreCase("enforce")) {
            return Optional.of(Denial.of(Reason.INVALID_ARGUMENTS, MODE + " must be dry-run or enforce"));
        }
        String runId = headers.get(RUN_ID);
        if (runId != null && !RunIds.valid(runId)) {
            return Optional.of(Denial.of(Reason.INVALID_ARGUMENTS, RUN_ID + " must be " + RunIds.RULE));
        }
        if (headers.getAll("Authorization").size() > 1) {
            return Optional.of(Denial.of(Reason.UNAUTHENTICATED, "send exactly one Authorization header"));
        }
        for (String once : ONCE) {
            if (headers.getAll(once).size() > 1) {
                return Optional.of(Denial.of(Reason.INVALID_ARGUMENTS, "send at most one " + once + " header"));
            }
        }
        return Optional.empty();
    }

    /** The run id, or the empty string ({@link #problem} refuses one that is not valid). */
    /** The agent's W3C trace context ({@code traceparent}, {@code tracestate}), when it is well formed. */
    public static Optional<TraceContext> trace(MultiMap headers) {
        return TraceContext.parse(headers.get("traceparent"), headers.get("tracestate"));
    }

    public static String runId(MultiMap headers) {
        String runId = headers.get(RUN_ID);
        return RunIds.valid(runId) ? runId : "";
    }

    public static Mode mode(MultiMap headers) {
        return "dry-run".equalsIgnoreCase(headers.get(MODE)) ? Mode.DRY_RUN : Mode.ENFORCE;
    }
}
