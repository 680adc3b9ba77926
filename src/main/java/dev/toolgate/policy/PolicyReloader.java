package dev.toolgate.policy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.toolgate.call.CanonicalJson;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.AuditLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;

/**
 * Reloads the policy bundle from its file ({@code toolgate.reload-interval}): a file whose bytes changed is
 * read (and its signature checked when {@code toolgate.policy.verification-key} is set), instantiated, and asked one
 * smoke decision, which must be a valid decision document; only then does it replace the engine in use
 * ({@link PolicyEngines#swap}). Anything short of that is refused: logged at WARN, counted
 * ({@code toolgate.reloads{what=policy,outcome=refused}}) and audited, and the bundle in use stays. The file is read on
 * a worker thread, never an event loop.
 */
@ApplicationScoped
@Startup
public class PolicyReloader {

    private static final Logger LOG = Logger.getLogger(PolicyReloader.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PolicyEngines engines;
    private final AuditLog audit;
    private final MeterRegistry meters;
    private final ToolgateConfig config;
    private final Optional<Path> file;
    private final Optional<BundleUrl> url;
    private final Vertx vertx;
    private long timer = -1;
    /** The SHA-256 of the file's bytes last looked at, loaded or refused: the same bytes are not tried twice. */
    private volatile String seen;
    private volatile String lastRefusal = "";

    PolicyReloader(PolicyEngines engines, AuditLog audit, MeterRegistry meters, ToolgateConfig config, Vertx vertx) {
        this.engines = engines;
        this.audit = audit;
        this.meters = meters;
        this.config = config;
        this.vertx = vertx;
        String location = config.policy().bundle();
        this.url = BundleUrl.names(location) ? Optional.of(new BundleUrl(location)) : Optional.empty();
        this.file = location.startsWith(PolicyBundle.CLASSPATH) || url.isPresent() ? Optional.empty()
                : Optional.of(Path.of(location));
        Optional<Duration> interval = config.reloadInterval();
        if (interval.isPresent() && (file.isPresent() || url.isPresent())) {
            seen = file.flatMap(PolicyReloader::digest).orElse("");
            long millis = Math.max(100, interval.get().toMillis());
            timer = vertx.setPeriodic(millis, id -> vertx.executeBlocking(() -> {
                check();
                return null;
            }, false));
            LOG.infof("policy bundle %s: reloaded when it changes (looked at every %d ms)", location, millis);
        } else if (interval.isPresent()) {
            LOG.warnf("toolgate.reload-interval is set, but the bundle %s is part of the build: it is never reloaded",
                    location);
        }
    }

    /** Why the last new bundle was refused, or the empty string. */
    public String lastRefusal() {
        return lastRefusal;
    }

    /** Looks at the file or URL once; loads what changed. */
    synchronized void check() {
        String path = file.map(Path::toString).orElseGet(() -> url.orElseThrow().toString());
        byte[] bytes;
        try {
            if (file.isPresent()) {
                bytes = Files.readAllBytes(file.get());
            } else {
                Optional<byte[]> fetched = url.get().fetch();
                if (fetched.isEmpty()) {
                    return; // 304: not changed
                }
                bytes = fetched.get();
            }
        } catch (IOException e) {
            refuse("the bundle cannot be read: " + e.getMessage());
            return;
        }
        String digest = CanonicalJson.sha256Hex(bytes);
        if (digest.equals(seen)) {
            return;
        }
        seen = digest;
        OpaEngine current = engines.current();
        OpaEngine candidate = null;
        try {
            PolicyBundle bundle = PolicyBundle.read(new ByteArrayInputStream(bytes), path,
                    BundleSignatures.configured(config));
            if (bundle.revision().equals(current.revision())) {
                return;
            }
            candidate = OpaEngine.start(bundle, config.policy().instances(), config.policy().interpreter()
                    || io.quarkus.runtime.ImageMode.current().isNativeImage(), config.policy().onEventLoop());
            smoke(candidate);
        } catch (RuntimeException e) {
            if (candidate != null) {
                candidate.close();
            }
            refuse(e.getMessage());
            return;
        }
        engines.swap(candidate);
        meters.find("toolgate.policy.bundle.info").tags("bundle", "active", "revision", current.revision()).meters()
                .forEach(meters::remove);
        PolicyRevisions.active(meters, candidate.revision());
        meters.counter("toolgate.reloads", "what", "policy", "outcome", "loaded").increment();
        lastRefusal = "";
        LOG.infof("policy bundle %s reloaded: revision %s replaces %s", path, candidate.revision(), current.revision());
        audit.reloaded("policy", "loaded", candidate.revision(), "replaces " + current.revision()).subscribe().with(
                ok -> {
                }, fault -> LOG.warnf("the policy reload could not be audited: %s", fault.toString()));
    }

    /** One decision of a made-up call: the bundle must answer a valid decision document. */
    private static void smoke(OpaEngine candidate) {
        ObjectNode input = JSON.createObjectNode();
        ObjectNode principal = input.putObject("principal");
        principal.put("agent", "toolgate-reload-check");
        principal.put("tenant", "toolgate");
        principal.putArray("roles");
        ObjectNode call = input.putObject("call");
        call.put("tool", "toolgate-reload-check");
        call.put("action", "check");
        call.putObject("args");
        call.put("mode", "enforce");
        input.putObject("tool").putArray("data_classes");
        input.putObject("context");
        input.putObject("usage");
        JsonNode result = candidate.evaluate(input).await().atMost(Duration.ofSeconds(10));
        if (DecisionReader.read(result, candidate.revision()) instanceof DecisionReader.Result.Malformed m) {
            throw new PolicyBundleException("policy bundle " + candidate.revision()
                    + ": the smoke decision is not a decision: " + m.problem());
        }
    }

    private void refuse(String why) {
        lastRefusal = why;
        meters.counter("toolgate.reloads", "what", "policy", "outcome", "refused").increment();
        String revision = engines.current().revision();
        LOG.warnf("policy bundle %s not reloaded, revision %s stays: %s",
                file.map(Path::toString).orElseGet(() -> url.map(BundleUrl::toString).orElse("")), revision, why);
        audit.reloaded("policy", "refused", revision, why).subscribe().with(ok -> {
        }, fault -> LOG.warnf("the refused policy reload could not be audited: %s", fault.toString()));
    }

    private static Optional<String> digest(Path path) {
        try {
            return Optional.of(CanonicalJson.sha256Hex(Files.readAllBytes(path)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
