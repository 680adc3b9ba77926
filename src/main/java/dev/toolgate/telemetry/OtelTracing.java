package dev.toolgate.telemetry;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.toolgate.call.ToolCall;
import dev.toolgate.call.TraceContext;
import dev.toolgate.pipeline.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * Traces with OpenTelemetry (the SDK Quarkus configures: {@code quarkus.otel.*}, off unless
 * {@code quarkus.otel.sdk.disabled=false}). Each call is a {@code SERVER} span continuing the agent's W3C trace
 * context, each stage an {@code INTERNAL} child timed as the pipeline timed it, and the exchange with the tool a
 * {@code CLIENT} child whose context the tool is sent (see {@link SpanAttributes} for names and attributes).
 * <p>
 * With the SDK off, OpenTelemetry's no-op tracer hands back the agent's own context, so the tool still continues the
 * agent's trace and nothing is recorded. A fault of the tracer is logged once and the call goes on untraced.
 */
@ApplicationScoped
public class OtelTracing implements Tracing {

    private static final Logger LOG = Logger.getLogger(OtelTracing.class);
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private final Tracer tracer;
    /** Whether traces are made at all: off, a call costs nothing and keeps the agent's context for the tool. */
    private final boolean on;
    private volatile boolean faultLogged;

    OtelTracing(OpenTelemetry openTelemetry,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean sdkDisabled) {
        this.tracer = openTelemetry.getTracer("dev.toolgate", "0.1.0");
        this.on = !sdkDisabled;
    }

    @Override
    public CallTrace start(ToolCall call) {
        if (!on) {
            return CallTrace.NONE;
        }
        try {
            Context parent = call.trace().map(OtelTracing::remote).orElse(Context.root());
            Span span = tracer.spanBuilder(SpanAttributes.CALL_SPAN)
                    .setParent(parent)
                    .setSpanKind(SpanKind.SERVER)
                    .setAttribute(SpanAttributes.DECISION_ID, call.id())
                    .setAttribute(SpanAttributes.PROTOCOL, call.protocol().code())
                    .startSpan();
            return new CallSpan(span);
        } catch (RuntimeException e) {
            fault(e);
            return CallTrace.NONE;
        }
    }

    /** The agent's context as OpenTelemetry's parent: a remote span. */
    private static Context remote(TraceContext trace) {
        return W3C.extract(Context.root(), trace, GETTER);
    }

    private static final TextMapGetter<TraceContext> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(TraceContext carrier) {
            return java.util.List.of("traceparent", "tracestate");
        }

        @Override
        public String get(TraceContext carrier, String key) {
            if (carrier == null) {
                return null;
            }
            return switch (key) {
                case "traceparent" -> carrier.traceparent();
                case "tracestate" -> carrier.tracestate().isEmpty() ? null : carrier.tracestate();
                default -> null;
            };
        }
    };

    /**
     * A span's context as the W3C headers the next hop reads; empty for a span that is not recorded (tracing off, or
     * sampled out), whose id no backend will know: the next hop then continues the agent's context, which the call keeps.
     */
    static Optional<TraceContext> context(Span span) {
        if (!span.isRecording() || !span.getSpanContext().isValid()) {
            return Optional.empty();
        }
        Map<String, String> headers = new HashMap<>(2);
        W3C.inject(Context.root().with(span), headers, Map::put);
        return TraceContext.parse(headers.get("traceparent"), headers.get("tracestate"));
    }

    private void fault(RuntimeException e) {
        if (!faultLogged) {
            faultLogged = true;
            LOG.warnf("tracing failed (%s); calls go on untraced where it fails", e.toString());
        }
        LOG.debug("tracing fault", e);
    }

    /** One call's span, and the clock that turns the pipeline's {@code nanoTime} into span timestamps. */
    private final class CallSpan implements CallTrace {

        private final Span span;
        private final Optional<TraceContext> context;
        private final long epochNanosAtStart;
        private final long nanoTimeAtStart;

        CallSpan(Span span) {
            this.span = span;
            this.context = OtelTracing.context(span);
            this.nanoTimeAtStart = System.nanoTime();
            java.time.Instant now = java.time.Instant.now();
            this.epochNanosAtStart = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public Optional<TraceContext> context() {
            return context;
        }

        @Override
        public void stage(String stage, long startNanos, long endNanos, String result) {
            if (!span.isRecording()) {
                return;
            }
            try {
                tracer.spanBuilder(SpanAttributes.stageSpan(stage))
                        .setParent(Context.root().with(span))
                        .setSpanKind(SpanKind.INTERNAL)
                        .setStartTimestamp(epoch(startNanos), TimeUnit.NANOSECONDS)
                        .setAttribute(SpanAttributes.STAGE, stage)
                        .setAttribute(SpanAttributes.STAGE_RESULT, result)
                        .startSpan()
                        .end(epoch(endNanos), TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                fault(e);
            }
        }

        private long epoch(long nanoTime) {
            return epochNanosAtStart + (nanoTime - nanoTimeAtStart);
        }

        @Override
        public UpstreamTrace upstream(ToolCall call) {
            try {
                Span exchange = SpanAttributes.upstream(tracer.spanBuilder(SpanAttributes.upstreamSpan(call))
                        .setParent(Context.root().with(span))
                        .setSpanKind(SpanKind.CLIENT), call).startSpan();
                return new ExchangeSpan(exchange);
            } catch (RuntimeException e) {
                fault(e);
                return UpstreamTrace.NONE;
            }
        }

        @Override
        public void end(dev.toolgate.pipeline.Outcome<?> outcome) {
            try {
                if (span.isRecording()) {
                    SpanAttributes.ended(span, outcome);
                }
                span.end();
            } catch (RuntimeException e) {
                fault(e);
            }
        }
    }

    /** The span of one exchange with a tool. */
    private final class ExchangeSpan implements UpstreamTrace {

        private final Span span;

        ExchangeSpan(Span span) {
            this.span = span;
        }

        @Override
        public Optional<TraceContext> context() {
            return OtelTracing.context(span);
        }

        @Override
        public void end(dev.toolgate.pipeline.UpstreamResult<?> result) {
            try {
                if (span.isRecording()) {
                    SpanAttributes.answered(span, result);
                }
                span.end();
            } catch (RuntimeException e) {
                fault(e);
            }
        }
    }
}
