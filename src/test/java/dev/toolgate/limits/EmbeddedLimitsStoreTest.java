package dev.toolgate.limits;

/**
 * The contract on the embedded store. Its state is per instance by definition, so the "second instance" of the
 * concurrency test is the same instance: what is checked is that its per-tenant locking is exact under concurrent
 * callers. Budgets across toolgate instances are exact only with Redis.
 */
class EmbeddedLimitsStoreTest extends LimitsStoreContractTest {

    private final EmbeddedLimitsStore store = new EmbeddedLimitsStore();

    @Override
    LimitsStore store() {
        return store;
    }

    @Override
    LimitsStore secondStore() {
        return store;
    }
}
