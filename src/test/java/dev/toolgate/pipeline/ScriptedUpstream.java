package dev.toolgate.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import dev.toolgate.call.Denial;
import dev.toolgate.call.ToolCall;
import io.smallrye.mutiny.Uni;

/**
 * An upstream whose replies are strings, answering what its test scripted and remembering every call sent to it. It
 * keeps replies as protocol {@code test}, and decodes only that protocol's.
 */
final class ScriptedUpstream implements Upstream<String> {

    static final String PROTOCOL = "test";

    private final Function<ToolCall, Uni<UpstreamResult<String>>> answer;
    private final List<ToolCall> sent = new ArrayList<>();

    private ScriptedUpstream(Function<ToolCall, Uni<UpstreamResult<String>>> answer) {
        this.answer = answer;
    }

    static ScriptedUpstream answering(Function<ToolCall, Uni<UpstreamResult<String>>> answer) {
        return new ScriptedUpstream(answer);
    }

    static ScriptedUpstream replying(String reply, String status, OptionalLong cost) {
        return answering(call -> Uni.createFrom().item(new UpstreamResult.Replied<>(reply, status, cost)));
    }

    static ScriptedUpstream replying(String reply) {
        return replying(reply, "200", OptionalLong.empty());
    }

    /** The tool could not be reached: a failure answered as an item, as the contract of {@link Upstream} asks. */
    static ScriptedUpstream failingWith(Denial denial) {
        return answering(call -> Uni.createFrom().item(new UpstreamResult.Failed<>(denial)));
    }

    /** The check API: the caller performs the call itself and reports later. */
    static ScriptedUpstream handing(String reply) {
        return answering(call -> Uni.createFrom().item(new UpstreamResult.Handed<>(reply)));
    }

    /** An upstream that breaks its promise: its {@code Uni} fails instead of answering a failure as an item. */
    static ScriptedUpstream breakingItsPromise() {
        return answering(call -> Uni.createFrom().failure(new IllegalStateException("connection reset")));
    }

    static StoredReply kept(String reply) {
        return new StoredReply(PROTOCOL, reply.getBytes(StandardCharsets.UTF_8));
    }

    synchronized List<ToolCall> sent() {
        return List.copyOf(sent);
    }

    @Override
    public Uni<UpstreamResult<String>> send(ToolCall call) {
        synchronized (this) {
            sent.add(call);
        }
        return answer.apply(call);
    }

    @Override
    public Optional<StoredReply> encode(String reply) {
        return Optional.of(kept(reply));
    }

    @Override
    public Optional<String> decode(StoredReply stored) {
        return stored.protocol().equals(PROTOCOL)
                ? Optional.of(new String(stored.bytes(), StandardCharsets.UTF_8))
                : Optional.empty();
    }
}
