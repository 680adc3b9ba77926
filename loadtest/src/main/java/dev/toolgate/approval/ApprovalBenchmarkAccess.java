package dev.toolgate.approval;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.pipeline.AuditLog;
import dev.toolgate.pipeline.Stage;
import io.vertx.core.Vertx;

/**
 * The approval stage built by hand for the benchmarks (package-private constructors): the embedded store, the default
 * TTL (1 h) and pending limit (20), no webhook.
 */
public final class ApprovalBenchmarkAccess {

    private ApprovalBenchmarkAccess() {
    }

    public static Stage stage(AuditLog audit, Vertx vertx) {
        ApprovalWebhook none = new ApprovalWebhook(vertx, new ObjectMapper(), Optional.empty(), "http://localhost:8080",
                1);
        return new ApprovalStage(new EmbeddedApprovalStore(), audit, none, Duration.ofHours(1), 20, Clock.systemUTC());
    }
}
