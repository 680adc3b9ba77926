package dev.toolgate.limits;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The Lua scripts of {@code src/main/resources/limits/}, called by SHA-1 with {@code EVALSHA}. The SHA-1 is computed
 * here, so a call needs no earlier {@code SCRIPT LOAD} to have succeeded: when Redis answers {@code NOSCRIPT} (it
 * restarted, failed over or was flushed) the script is loaded and the call retried once.
 */
final class RedisScripts {

    /** Redis refused a script: it does not compile, a bug that must stop startup. */
    static final class ScriptRefusedException extends IllegalStateException {

        private static final long serialVersionUID = 1L;

        ScriptRefusedException(String message) {
            super(message);
        }
    }

    /** One script: its text as sent to Redis and that text's SHA-1. */
    record Script(String name, String text, String sha) {
    }

    static final Script RESERVE = script("reserve.lua");
    /** release.lua defines the release function both of these use. */
    static final Script SETTLE = script("release.lua", "settle.lua");
    static final Script RELEASE_EXPIRED = script("release.lua", "release_expired.lua");
    static final Script RESET = script("reset.lua");

    static final List<Script> ALL = List.of(RESERVE, SETTLE, RELEASE_EXPIRED, RESET);

    private final Redis redis;

    RedisScripts(Redis redis) {
        this.redis = redis;
    }

    /**
     * Loads every script. Fails with {@link LimitsUnavailableException} when Redis cannot be reached, and with
     * {@link ScriptRefusedException} when Redis refuses a script (it does not compile: a bug).
     */
    Future<Void> loadAll() {
        Future<Void> chain = Future.succeededFuture();
        for (Script script : ALL) {
            chain = chain.compose(nothing -> load(script)).mapEmpty();
        }
        return chain;
    }

    /** Runs {@code script} with {@code keys} and {@code args}; loads it first when Redis does not know it. */
    Future<Response> eval(Script script, List<String> keys, List<String> args) {
        return redis.send(evalsha(script, keys, args)).recover(failure -> {
            if (failure.getMessage() == null || !failure.getMessage().startsWith("NOSCRIPT")) {
                return Future.failedFuture(failure);
            }
            return load(script).compose(loaded -> redis.send(evalsha(script, keys, args)));
        });
    }

    private Future<Void> load(Script script) {
        return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.text()))
                .transform(result -> {
                    if (result.failed()) {
                        Throwable cause = result.cause();
                        if (cause.getMessage() != null && cause.getMessage().startsWith("ERR")) {
                            return Future.failedFuture(new ScriptRefusedException(
                                    "Redis refused the limits script " + script.name() + ": " + cause.getMessage()));
                        }
                        return Future.failedFuture(cause);
                    }
                    if (!script.sha().equals(result.result().toString())) {
                        return Future.failedFuture(new ScriptRefusedException("Redis loaded " + script.name()
                                + " as " + result.result() + ", expected " + script.sha()));
                    }
                    return Future.succeededFuture();
                });
    }

    private static Request evalsha(Script script, List<String> keys, List<String> args) {
        Request request = Request.cmd(Command.EVALSHA).arg(script.sha()).arg(keys.size());
        keys.forEach(request::arg);
        args.forEach(request::arg);
        return request;
    }

    private static Script script(String... files) {
        List<String> parts = new ArrayList<>();
        for (String file : files) {
            String path = "limits/" + file;
            try (InputStream in = RedisScripts.class.getClassLoader().getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException("the limits script " + path + " is not on the classpath");
                }
                parts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("could not read the limits script " + path, e);
            }
        }
        String text = String.join("\n", parts);
        return new Script(String.join("+", files), text, sha1(text));
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this JVM", e);
        }
    }
}
