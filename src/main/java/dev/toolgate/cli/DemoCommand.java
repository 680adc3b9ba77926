package dev.toolgate.cli;

import dev.toolgate.demo.SampleDocsServer;
import dev.toolgate.demo.SampleTools;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the demo: the two sample tools on loopback ports 9101 and 9102, the sample MCP server on 9103, and the gateway
 * on 8080 with
 * {@code examples/demo/contract.yaml} and the bundled policy.
 */
@Command(name = "demo", description = "Run the gateway with the demo contract and two sample tools.")
@RegisterForReflection
public class DemoCommand implements Runnable {

    @Option(names = "--contract", defaultValue = "examples/demo/contract.yaml", description = "The demo contract (default: ${DEFAULT-VALUE}).")
    String contract;

    @Option(names = "--payments-port", defaultValue = "9101", description = "Port of the sample payments tool.")
    int paymentsPort;

    @Option(names = "--deploy-port", defaultValue = "9102", description = "Port of the sample deploy tool.")
    int deployPort;

    @Option(names = "--docs-port", defaultValue = "9103", description = "Port of the sample MCP server.")
    int docsPort;

    @Override
    public void run() {
        System.setProperty("toolgate.contract", contract);
        Vertx vertx = Vertx.vertx();
        try (SampleTools tools = SampleTools.start(vertx, paymentsPort, deployPort);
                SampleDocsServer docs = SampleDocsServer.start(vertx, docsPort)) {
            System.out.printf("sample tools: payments on 127.0.0.1:%d, deploy on 127.0.0.1:%d, MCP server docs on "
                    + "127.0.0.1:%d/mcp%n", tools.paymentsPort(), tools.deployPort(), docs.port());
            Quarkus.run();
        } catch (Exception e) {
            throw new IllegalStateException("the demo could not start its sample tools: " + e.getMessage(), e);
        } finally {
            vertx.close();
        }
    }
}
