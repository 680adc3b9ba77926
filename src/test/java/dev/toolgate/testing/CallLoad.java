package dev.toolgate.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load on a gateway: threads that send calls one after another until stopped, each call recorded with what it was,
 * how it ended and when. A call that gets no answer (the gateway died under it) is recorded with status 0.
 */
public final class CallLoad {

    private static final Pattern REASON = Pattern.compile("\"reason\"\\s*:\\s*\"([a-z_]+)\"");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    /** A kind of call: its name and the request to send, given a sequence number (a timeout is added). */
    public record Kind(String name, IntFunction<HttpRequest.Builder> request) {
    }

    /**
     * How one call ended.
     *
     * @param status the HTTP status, 0 when no answer came
     * @param decisionId {@code Toolgate-Decision-Id}, or null
     * @param reason the problem document's reason, or null
     * @param started when the call was sent, {@link System#nanoTime()}
     * @param ended when its answer (or failure) came
     */
    public record Result(String kind, int status, String decisionId, String reason, String body, long started,
            long ended) {

        public Duration took() {
            return Duration.ofNanos(ended - started);
        }
    }

    private final ExecutorService threads;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Result> results = new CopyOnWriteArrayList<>();

    private CallLoad(int threadCount, List<Kind> kinds) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        AtomicInteger sequence = new AtomicInteger();
        threads = Executors.newFixedThreadPool(threadCount);
        for (int t = 0; t < threadCount; t++) {
            int offset = t;
            threads.submit(() -> {
                int i = offset;
                while (running.get()) {
                    Kind kind = kinds.get(i++ % kinds.size());
                    int n = sequence.incrementAndGet();
                    HttpRequest request = kind.request().apply(n).timeout(CALL_TIMEOUT).build();
                    results.add(send(client, kind.name(), request));
                }
            });
        }
    }

    /**
     * Starts the load.
     *
     * @param kinds the calls each thread sends in turn, each thread starting at another one
     */
    public static CallLoad start(int threads, List<Kind> kinds) {
        return new CallLoad(threads, kinds);
    }

    /** A request to {@code base} + {@code path} with the agent's credential. */
    public static HttpRequest.Builder request(URI base, String path, String credential) {
        return HttpRequest.newBuilder(base.resolve(path)).header("Authorization", credential);
    }

    /** A POST of a JSON body to {@code base} + {@code path} with the agent's credential. */
    public static HttpRequest.Builder post(URI base, String path, String credential, String json) {
        return request(base, path, credential).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private static Result send(HttpClient client, String kind, HttpRequest request) {
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            Matcher reason = REASON.matcher(response.body());
            return new Result(kind, response.statusCode(),
                    response.headers().firstValue("Toolgate-Decision-Id").orElse(null),
                    reason.find() ? reason.group(1) : null, response.body(), started, System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(kind, 0, null, null, e.toString(), started, System.nanoTime());
        } catch (Exception e) {
            return new Result(kind, 0, null, null, e.toString(), started, System.nanoTime());
        }
    }

    /** The calls so far (the load goes on). */
    public List<Result> results() {
        return List.copyOf(results);
    }

    /** Stops sending and waits for the calls in flight; answers every call's result, in the order they ended. */
    public List<Result> stop() throws InterruptedException {
        running.set(false);
        threads.shutdown();
        if (!threads.awaitTermination(CALL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
            threads.shutdownNow();
            throw new IllegalStateException("calls still in flight " + CALL_TIMEOUT + " after the load stopped");
        }
        return new ArrayList<>(results);
    }
}
