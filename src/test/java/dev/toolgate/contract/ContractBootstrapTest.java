package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.pipeline.Active;

class ContractBootstrapTest {

    /** A configuration that only answers {@code contract()}: the one setting the bootstrap reads. */
    private static ToolgateConfig config(Path contract) {
        return (ToolgateConfig) Proxy.newProxyInstance(ToolgateConfig.class.getClassLoader(),
                new Class<?>[] { ToolgateConfig.class }, (proxy, method, args) -> {
                    if (method.getName().equals("contract")) {
                        return contract;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void publishesTheLoadedContract() {
        // given
        Active active = new Active();
        active.publishPolicyRevision("policy-test");
        ContractBootstrap bootstrap = new ContractBootstrap(config(Contracts.file("full.yaml")), active,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

        // when
        bootstrap.start();

        // then
        assertEquals(new ContractLoader().load(Contracts.file("full.yaml")).revision(),
                active.snapshot().contract().revision());
        assertEquals(2, active.snapshot().contract().tools().size());
    }

    @Test
    void aBadContractStopsStartupNamingTheFileAndEveryError() {
        // given
        Active active = new Active();
        active.publishPolicyRevision("policy-test");
        Path file = Contracts.file("several-errors.yaml");
        ContractBootstrap bootstrap = new ContractBootstrap(config(file), active,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

        // when
        ContractException e = assertThrows(ContractException.class, bootstrap::start);

        // then
        assertTrue(e.getMessage().startsWith("contract " + file + " is invalid (4 errors):"), e.getMessage());
        e.errors().forEach(error -> assertTrue(e.getMessage().contains(error), error));
        assertThrows(IllegalStateException.class, active::snapshot, "nothing published");
    }
}
