package dev.toolgate.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

import dev.toolgate.call.ToolCall;
import io.smallrye.mutiny.Uni;

/** An after-call that remembers how each call finished it; one instance may serve many calls. */
final class RecordingAfterCall implements AfterCall {

    /**
     * One finish.
     *
     * @param how {@code forwarded} or {@code abandoned}
     * @param kept the kept reply as {@code protocol:text}, so that finishes compare by content; empty when none
     */
    record Finish(String callId, String how, OptionalLong cost, Optional<String> kept) {
    }

    private final List<Finish> finishes = new ArrayList<>();
    private final boolean fails;
    private final Optional<Executor> completesOn;

    private RecordingAfterCall(boolean fails, Optional<Executor> completesOn) {
        this.fails = fails;
        this.completesOn = completesOn;
    }

    static RecordingAfterCall recording() {
        return new RecordingAfterCall(false, Optional.empty());
    }

    /** Records each finish, then fails its {@code Uni} as a store that went away would. */
    static RecordingAfterCall failing() {
        return new RecordingAfterCall(true, Optional.empty());
    }

    /** Records each finish and completes its {@code Uni} on one of these threads, as a store's client does. */
    static RecordingAfterCall completingOn(Executor threads) {
        return new RecordingAfterCall(false, Optional.of(threads));
    }

    synchronized List<Finish> finishes() {
        return List.copyOf(finishes);
    }

    synchronized List<Finish> finishes(String callId) {
        return finishes.stream().filter(f -> f.callId().equals(callId)).toList();
    }

    /** How the call finished this after-call, in order: {@code forwarded} or {@code abandoned}, once each time. */
    synchronized List<String> hows(String callId) {
        return finishes(callId).stream().map(Finish::how).toList();
    }

    /** How many times the call finished this after-call in the given way. */
    synchronized long count(String callId, String how) {
        return finishes.stream().filter(f -> f.callId().equals(callId) && f.how().equals(how)).count();
    }

    @Override
    public Uni<Void> forwarded(ToolCall call, OptionalLong reportedCostUsdMicros, Optional<StoredReply> reply) {
        return finish(new Finish(call.id(), "forwarded", reportedCostUsdMicros,
                reply.map(r -> r.protocol() + ":" + new String(r.bytes(), StandardCharsets.UTF_8))));
    }

    @Override
    public Uni<Void> abandoned(ToolCall call) {
        return finish(new Finish(call.id(), "abandoned", OptionalLong.empty(), Optional.empty()));
    }

    private Uni<Void> finish(Finish finish) {
        synchronized (this) {
            finishes.add(finish);
        }
        Uni<Void> done = fails ? Uni.createFrom().failure(new IllegalStateException("limits store unreachable"))
                : Uni.createFrom().voidItem();
        return completesOn.map(done::emitOn).orElse(done);
    }
}
