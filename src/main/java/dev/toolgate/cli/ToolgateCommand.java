package dev.toolgate.cli;

import io.quarkus.runtime.annotations.RegisterForReflection;
import picocli.CommandLine.Command;

/** The top command; its subcommands do the work. */
@Command(name = "toolgate", mixinStandardHelpOptions = true, version = "toolgate 0.1.0", description = "Policy gateway between AI agents and their tools.", subcommands = {
        ServeCommand.class, DemoCommand.class, ContractCommand.class, AuditCommand.class, ReplayCommand.class,
        RunsCommand.class })
@RegisterForReflection
public class ToolgateCommand {
}
