package dev.toolgate.approval;

import java.net.URI;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.config.ToolgateConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Tells a human that an approval request is waiting: POSTs the request (with its redacted preview and a link to it) to
 * {@code toolgate.approvals.webhook}, retrying with exponential back-off (1 s, 2 s, 4 s, ...) until a 2xx answer or
 * {@code webhook-attempts} tries. The call that opened the request never waits for it.
 */
@ApplicationScoped
public class ApprovalWebhook {

    private static final Logger LOG = Logger.getLogger(ApprovalWebhook.class);

    private final Vertx vertx;
    private final Optional<URI> url;
    private final String publicUrl;
    private final int attempts;
    private final ObjectMapper json;
    private final HttpClient client;

    @Inject
    ApprovalWebhook(Vertx vertx, ObjectMapper json, ToolgateConfig config) {
        this(vertx, json, config.approvals().webhook(), config.approvals().publicUrl(),
                config.approvals().webhookAttempts());
    }

    ApprovalWebhook(Vertx vertx, ObjectMapper json, Optional<URI> url, String publicUrl, int attempts) {
        this.vertx = vertx;
        this.json = json;
        this.url = url;
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.attempts = Math.max(1, attempts);
        this.client = vertx.createHttpClient();
    }

    /** Sends the notification for a newly opened request, in the background. */
    void opened(ApprovalStore.Approval approval) {
        url.ifPresent(target -> send(target, body(approval), 1));
    }

    ObjectNode body(ApprovalStore.Approval a) {
        ObjectNode body = json.createObjectNode();
        body.put("event", "approval.opened");
        body.put("approval_id", a.id());
        body.put("tenant", a.tenant());
        body.put("agent", a.agent());
        body.put("run_id", a.runId());
        body.put("tool", a.tool());
        body.put("action", a.action());
        body.put("approval_tier", a.tier().code());
        body.put("irreversible", a.irreversible());
        body.put("payload_sha256", a.payloadSha256());
        body.set("preview", a.preview());
        a.reasons().forEach(body.putArray("reasons")::add);
        body.put("expires_at", a.expiresAt().toString());
        body.put("link", publicUrl + "/v1/approvals/" + a.id());
        return body;
    }

    private void send(URI target, ObjectNode body, int attempt) {
        boolean tls = "https".equals(target.getScheme());
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(target.getHost())
                .setPort(target.getPort() != -1 ? target.getPort() : tls ? 443 : 80).setSsl(tls)
                .setURI(target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath())
                .setTimeout(10_000).putHeader("Content-Type", "application/json");
        client.request(options)
                .compose(request -> request.send(Buffer.buffer(body.toString())))
                .onComplete(result -> {
                    boolean delivered = result.succeeded() && result.result().statusCode() / 100 == 2;
                    if (delivered) {
                        return;
                    }
                    if (attempt >= attempts) {
                        LOG.warnf("approval webhook gave up on %s after %d attempts", body.path("approval_id").asText(),
                                attempt);
                        return;
                    }
                    long delay = 1000L << Math.min(attempt - 1, 10);
                    vertx.setTimer(delay, t -> send(target, body, attempt + 1));
                });
    }
}
