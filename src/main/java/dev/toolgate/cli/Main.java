package dev.toolgate.cli;

import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

/**
 * toolgate's entry point. {@code serve} (the default) and {@code demo} start the gateway; {@code contract check} and
 * {@code audit verify} are offline tools that never start the server, bind a port or read the configured contract.
 */
@QuarkusMain
public final class Main {

    private Main() {
    }

    public static void main(String... args) {
        String[] argv = args.length == 0 ? new String[] { "serve" } : args;
        int status = new CommandLine(new ToolgateCommand()).execute(argv);
        if (!"serve".equals(argv[0]) && !"demo".equals(argv[0]) || status != 0) {
            System.exit(status);
        }
    }
}
