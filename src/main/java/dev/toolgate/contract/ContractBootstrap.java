package dev.toolgate.contract;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.toolgate.call.Contract;
import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.Active;
import io.quarkus.runtime.Startup;

/**
 * Loads the contract named by {@code toolgate.contract} at start and publishes it. A contract with problems throws,
 * which stops startup with a message that names the file and every problem.
 */
@Startup
@ApplicationScoped
public class ContractBootstrap {

    private static final Logger LOG = Logger.getLogger(ContractBootstrap.class);

    private final ToolgateConfig config;
    private final Active active;
    private final io.micrometer.core.instrument.MeterRegistry meters;

    ContractBootstrap(ToolgateConfig config, Active active, io.micrometer.core.instrument.MeterRegistry meters) {
        this.config = config;
        this.active = active;
        this.meters = meters;
    }

    @PostConstruct
    void start() {
        Contract contract = new ContractLoader().load(config.contract());
        active.publish(contract);
        LOG.infof("contract %s loaded: %d agents, %d tools, %d kill switches engaged, revision %s",
                config.contract(), contract.agents().size(), contract.tools().size(), contract.killSwitches().size(),
                contract.revision());
        FallbackGrants.ungranted(contract).forEach(warning -> LOG.warnf("contract %s: %s", config.contract(), warning));
        // which contract is in force, as a metric: 1, labelled with the revision
        io.micrometer.core.instrument.Gauge.builder("toolgate.contract.info", () -> 1)
                .description("The agent contract loaded, by revision").tag("revision", contract.revision())
                .register(meters);
    }
}
