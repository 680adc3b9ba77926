package dev.toolgate.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.RegisterForReflection;
import picocli.CommandLine.Command;

/** Runs the gateway with the configured contract and policy bundle until it is stopped. */
@Command(name = "serve", description = "Run the gateway (the default).")
@RegisterForReflection
public class ServeCommand implements Runnable {

    @Override
    public void run() {
        Quarkus.run();
    }
}
