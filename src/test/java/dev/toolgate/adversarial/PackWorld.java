package dev.toolgate.adversarial;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.toolgate.demo.SampleTools;
import dev.toolgate.limits.Keys;
import dev.toolgate.limits.LimitsStore;
import dev.toolgate.testing.McpUpstreamServer;

/**
 * What the runner needs of the world a scenario runs in: the gateway's port, its audit log, the recording upstreams
 * (what reached a tool), the limits store (what was spent) and the key the world's JWTs are signed with.
 */
final class PackWorld {

    /** The test worlds a scenario can run in: the contracts {@code gateway.yaml}, {@code mcp.yaml}, {@code limits.yaml}. */
    enum Name {
        GATEWAY,
        MCP,
        LIMITS,
        GRPC
    }

    final Name name;
    final Supplier<Integer> port;
    /** toolgate's gRPC port. */
    final Supplier<Integer> grpcPort;
    /** The gRPC upstream of the grpc world; null elsewhere. */
    private final Supplier<dev.toolgate.testing.LedgerUpstream> grpc;
    final Path auditFile;
    final AuditTail audit;
    final KeyPair jwtKey;
    private final Supplier<SampleTools> tools;
    private final Supplier<McpUpstreamServer> mcp;
    private final LimitsStore store;
    /** Ledgers checked around every refused step of this world, besides the scenario's own. */
    final List<Scenario.Ledger> ledgers;

    PackWorld(Name name, Supplier<Integer> port, Path auditFile, KeyPair jwtKey, Supplier<SampleTools> tools,
            Supplier<McpUpstreamServer> mcp, LimitsStore store, List<Scenario.Ledger> ledgers) {
        this(name, port, auditFile, jwtKey, tools, mcp, null, store, ledgers);
    }

    PackWorld(Name name, Supplier<Integer> port, Path auditFile, KeyPair jwtKey, Supplier<SampleTools> tools,
            Supplier<McpUpstreamServer> mcp, Supplier<dev.toolgate.testing.LedgerUpstream> grpc, LimitsStore store,
            List<Scenario.Ledger> ledgers) {
        this.name = name;
        this.port = port;
        this.grpcPort = () -> org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.grpc.server.test-port", Integer.class);
        this.grpc = grpc;
        this.auditFile = auditFile;
        this.audit = new AuditTail(auditFile);
        this.jwtKey = jwtKey;
        this.tools = tools;
        this.mcp = mcp;
        this.store = store;
        this.ledgers = List.copyOf(ledgers);
    }

    /**
     * How many requests have reached the world's upstreams: every request to the sample tools, or the MCP server's
     * exchanges of the JSON-RPC method (or, with none, the HTTP method) a step sends.
     */
    long upstreamCount(String httpMethod, String rpcMethod) {
        if (grpc != null) {
            return grpc.get().arrived().size() + tools.get().received().size();
        }
        if (mcp == null) {
            return tools.get().received().size();
        }
        return mcp.get().exchanges().stream()
                .filter(e -> rpcMethod != null ? rpcMethod.equals(e.rpcMethod())
                        : e.method().equals(httpMethod) && e.rpcMethod() == null)
                .count();
    }

    /** The requests of one decision that reached a sample tool (toolgate sends each tool the decision id). */
    List<SampleTools.Received> receivedFor(String decisionId) {
        if (mcp != null || decisionId == null) {
            return List.of();
        }
        if (grpc != null) {
            io.grpc.Metadata.Key<String> id = io.grpc.Metadata.Key.of("toolgate-decision-id",
                    io.grpc.Metadata.ASCII_STRING_MARSHALLER);
            return grpc.get().arrived().stream().filter(a -> decisionId.equals(a.metadata().get(id)))
                    .map(a -> new SampleTools.Received("grpc", "GRPC", a.method(), "", java.util.Map.of(), ""))
                    .toList();
        }
        return tools.get().received().stream().filter(r -> decisionId.equals(r.headers().get("toolgate-decision-id")))
                .toList();
    }

    Optional<SampleTools.Received> firstReceived(String decisionId) {
        return receivedFor(decisionId).stream().findFirst();
    }

    /** Spent and reserved of a ledger now. */
    LimitsStore.BudgetState budget(Scenario.Ledger ledger) {
        Instant now = Instant.now();
        String key = ledger.run() != null ? Keys.runBudget(ledger.tenant(), ledger.budget(), ledger.agent(), ledger.run())
                : ledger.agent() != null ? Keys.agentBudget(ledger.tenant(), ledger.budget(), ledger.agent(), now)
                        : ledger.workflow() != null
                                ? Keys.workflowBudget(ledger.tenant(), ledger.budget(), ledger.workflow(), now)
                                : Keys.tenantBudget(ledger.tenant(), ledger.budget(), now);
        return store.budget(ledger.tenant(), key).await().atMost(Duration.ofSeconds(5));
    }
}
