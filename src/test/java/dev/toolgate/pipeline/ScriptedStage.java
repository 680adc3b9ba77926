package dev.toolgate.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import dev.toolgate.call.Denial;
import dev.toolgate.call.ToolCall;
import io.smallrye.mutiny.Uni;

/** A stage that answers what its test scripted and remembers every call it saw and every listing it was asked. */
final class ScriptedStage implements Stage {

    private final String name;
    private final int position;
    private final Function<ToolCall, Uni<StageResult>> decide;
    private final BiFunction<List<ToolCall>, CallContext, Uni<List<ToolCall>>> shows;
    private final List<ToolCall> seen = new ArrayList<>();
    private final List<CallContext> contexts = new ArrayList<>();
    private final List<List<ToolCall>> asked = new ArrayList<>();

    private ScriptedStage(String name, int position, Function<ToolCall, Uni<StageResult>> decide,
            BiFunction<List<ToolCall>, CallContext, Uni<List<ToolCall>>> shows) {
        this.name = name;
        this.position = position;
        this.decide = decide;
        this.shows = shows;
    }

    static ScriptedStage deciding(String name, int position, Function<ToolCall, Uni<StageResult>> decide) {
        return new ScriptedStage(name, position, decide, (candidates, ctx) -> Uni.createFrom().item(candidates));
    }

    static ScriptedStage continuing(String name, int position) {
        return deciding(name, position, call -> Uni.createFrom().item(new StageResult.Continue(call)));
    }

    static ScriptedStage enriching(String name, int position, UnaryOperator<ToolCall> enrich) {
        return deciding(name, position, call -> Uni.createFrom().item(new StageResult.Continue(enrich.apply(call))));
    }

    /** Continues with an after-call to finish, as the limits stage does with its reservation. */
    static ScriptedStage reserving(String name, int position, AfterCall after) {
        return deciding(name, position,
                call -> Uni.createFrom().item(new StageResult.Continue(call, Optional.of(after))));
    }

    static ScriptedStage denying(String name, int position, Denial denial) {
        return deciding(name, position, call -> Uni.createFrom().item(new StageResult.Deny(denial)));
    }

    /** A stage that could not decide: its {@code Uni} fails. */
    static ScriptedStage failing(String name, int position) {
        return deciding(name, position,
                call -> Uni.createFrom().failure(new IllegalStateException(name + " store unreachable")));
    }

    /** A stage that breaks the contract of {@link Stage#apply}: it throws instead of answering a {@code Uni}. */
    static ScriptedStage throwing(String name, int position) {
        return deciding(name, position, call -> {
            throw new IllegalStateException(name + " threw");
        });
    }

    /** A stage that lists through the given filter. */
    static ScriptedStage showing(String name, int position,
            BiFunction<List<ToolCall>, CallContext, Uni<List<ToolCall>>> shows) {
        return new ScriptedStage(name, position, call -> Uni.createFrom().item(new StageResult.Continue(call)),
                shows);
    }

    synchronized List<ToolCall> seen() {
        return List.copyOf(seen);
    }

    synchronized List<CallContext> contexts() {
        return List.copyOf(contexts);
    }

    synchronized List<List<ToolCall>> asked() {
        return List.copyOf(asked);
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Uni<StageResult> apply(ToolCall call, CallContext ctx) {
        synchronized (this) {
            seen.add(call);
            contexts.add(ctx);
        }
        return decide.apply(call);
    }

    @Override
    public Uni<List<ToolCall>> shows(List<ToolCall> candidates, CallContext ctx) {
        synchronized (this) {
            asked.add(candidates);
        }
        return shows.apply(candidates, ctx);
    }
}
