package dev.toolgate.demo;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * Two small sample tools for the demo and the tests: {@code payments} (GET /charges/{id}, POST /refunds) and
 * {@code deploy} (POST /deployments). They do nothing real; they answer like a tool would and remember what reached
 * them, so a test can assert what the gateway forwarded. The charge id {@code ch_slow} answers after 3 s, to show an
 * upstream timeout; {@code ch_large} answers with 100 KB of notes, to show the answer size limit;
 * {@code ch_missing} answers 404.
 */
public final class SampleTools implements AutoCloseable {

    /** A request as it reached a sample tool: header names lower-cased. */
    public record Received(String tool, String method, String path, String query, Map<String, String> headers,
            String body) {
    }

    /** The actual cost the deploy tool reports for one deployment. */
    public static final long DEPLOYMENT_COST_USD_MICROS = 700_000;

    private final Vertx vertx;
    private final HttpServer payments;
    private final HttpServer deploy;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Consumer<Received> onReceive = r -> {
    };

    private SampleTools(Vertx vertx, int paymentsPort, int deployPort) throws Exception {
        this.vertx = vertx;
        this.payments = vertx.createHttpServer().requestHandler(this::payments).listen(paymentsPort, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        this.deploy = vertx.createHttpServer().requestHandler(this::deploy).listen(deployPort, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Starts both tools on loopback; port 0 picks a free one. */
    public static SampleTools start(Vertx vertx, int paymentsPort, int deployPort) throws Exception {
        return new SampleTools(vertx, paymentsPort, deployPort);
    }

    public int paymentsPort() {
        return payments.actualPort();
    }

    public int deployPort() {
        return deploy.actualPort();
    }

    /** Every request that reached a tool, oldest first. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    public void clear() {
        received.clear();
    }

    /** Runs for each request as it arrives, before the tool answers (tests observe the gateway at that moment). */
    public void onReceive(Consumer<Received> listener) {
        this.onReceive = listener;
    }

    private void payments(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            record(request, "payments", body.toString());
            String path = request.path();
            if (request.method().name().equals("GET") && path.startsWith("/charges/")) {
                String id = path.substring("/charges/".length());
                JsonObject charge = new JsonObject().put("id", id).put("amount_usd_micros", 120_000_000)
                        .put("currency", "usd").put("tenant", "acme").put("status", "succeeded");
                if (id.equals("ch_large")) {
                    charge.put("notes", "n".repeat(100_000));
                }
                long delay = id.equals("ch_slow") ? 3000 : 0;
                if (id.equals("ch_missing")) {
                    json(request, 404, new JsonObject().put("error", "no such charge"));
                } else {
                    vertx.setTimer(Math.max(1, delay), t -> json(request, 200, charge));
                }
            } else if (request.method().name().equals("POST") && path.equals("/refunds")) {
                JsonObject in = body.length() == 0 ? new JsonObject() : body.toJsonObject();
                json(request, 201, new JsonObject().put("id", "re_" + ids.incrementAndGet())
                        .put("charge", in.getValue("charge")).put("amount_usd_micros", in.getValue("amount_usd_micros"))
                        .put("status", "succeeded"));
            } else {
                json(request, 404, new JsonObject().put("error", "not found"));
            }
        });
    }

    private void deploy(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            record(request, "deploy", body.toString());
            if (request.method().name().equals("POST") && request.path().equals("/deployments")) {
                JsonObject in = body.length() == 0 ? new JsonObject() : body.toJsonObject();
                // what a paid tool reports for settling (a deployment's compute); the gateway never passes it on
                request.response().putHeader("Toolgate-Cost-Usd-Micros", String.valueOf(DEPLOYMENT_COST_USD_MICROS));
                json(request, 202, new JsonObject().put("id", "dep_" + ids.incrementAndGet())
                        .put("service", in.getValue("service")).put("environment", in.getValue("environment"))
                        .put("status", "queued"));
            } else {
                json(request, 404, new JsonObject().put("error", "not found"));
            }
        });
    }

    private void record(HttpServerRequest request, String tool, String body) {
        Map<String, String> headers = request.headers().entries().stream().collect(Collectors.toMap(
                e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue, (a, b) -> a + "," + b));
        Received r = new Received(tool, request.method().name(), request.path(), request.query(), headers, body);
        received.add(r);
        onReceive.accept(r);
    }

    private static void json(HttpServerRequest request, int status, JsonObject body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    @Override
    public void close() throws Exception {
        payments.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        deploy.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
