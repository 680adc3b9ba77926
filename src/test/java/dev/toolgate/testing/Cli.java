package dev.toolgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import dev.toolgate.cli.ToolgateCommand;
import picocli.CommandLine;

/** Runs one of toolgate's commands in this JVM, as {@code cli.Main} would, and keeps what it printed. */
public final class Cli {

    private Cli() {
    }

    /** How a command ended: its exit status and what it printed on each stream. */
    public record Run(int status, String out, String err) {
    }

    public static synchronized Run run(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = new CommandLine(new ToolgateCommand()).execute(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }
}
