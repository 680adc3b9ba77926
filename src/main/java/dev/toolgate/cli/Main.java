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

    /**
     * Quarkus refuses a request target that is no valid URI before any route, with an empty 400; toolgate makes the
     * same check first thing in its router ({@code ingress.web.RequestTargets}), where the refusal is a problem
     * document and audited. The property must be set before the HTTP server is created.
     */
    static final String URI_VALIDATION = "vertx.disableURIValidation";

    public static void main(String... args) {
        System.setProperty(URI_VALIDATION, "true");
        String[] argv = args.length == 0 ? new String[] { "serve" } : args;
        int status = new CommandLine(new ToolgateCommand()).execute(argv);
        if (!"serve".equals(argv[0]) && !"demo".equals(argv[0]) || status != 0) {
            System.exit(status);
        }
    }
}
