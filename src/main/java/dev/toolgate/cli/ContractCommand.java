package dev.toolgate.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.toolgate.call.Contract;
import dev.toolgate.contract.ContractException;
import dev.toolgate.contract.ContractLoader;
import dev.toolgate.contract.FallbackGrants;
import io.quarkus.runtime.annotations.RegisterForReflection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code contract check FILE}: validates an agent contract offline, with the messages startup would give. */
@Command(name = "contract", description = "Work with agent contracts.", subcommands = ContractCommand.Check.class)
@RegisterForReflection
public class ContractCommand {

    @Command(name = "check", description = "Validate an agent contract; exit 1 and list every error by path.")
    @RegisterForReflection
    public static class Check implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", description = "The contract (YAML).")
        Path file;

        @Override
        public Integer call() {
            try {
                Contract contract = new ContractLoader().load(file);
                System.out.printf("%s: ok, %d agents, %d tools, %d kill switches, revision %s%n", file,
                        contract.agents().size(), contract.tools().size(), contract.killSwitches().size(),
                        contract.revision());
                FallbackGrants.ungranted(contract).forEach(warning -> System.out.println("warning: " + warning));
                return 0;
            } catch (ContractException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }
}
