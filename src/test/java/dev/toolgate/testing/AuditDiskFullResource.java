package dev.toolgate.testing;

import java.util.Map;

import dev.toolgate.demo.SampleTools;

/**
 * The gateway tests' contract and sample tools with the audit log on {@code /dev/full}: it opens like an empty file
 * and fails every write with ENOSPC, the way a full disk does, from the first record on.
 */
public class AuditDiskFullResource extends WorldResource {

    public static final String FULL = "/dev/full";

    private static volatile SampleTools tools;

    public AuditDiskFullResource() {
        super("audit-full");
    }

    @Override
    Map<String, String> configure(TestWorld world) throws Exception {
        tools = world.tools;
        Map<String, String> config = world.config("gateway.yaml", Map.of());
        config.put("toolgate.audit.path", FULL);
        return config;
    }

    public static SampleTools tools() {
        return tools;
    }
}
