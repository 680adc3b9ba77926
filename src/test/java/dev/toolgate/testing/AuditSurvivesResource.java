package dev.toolgate.testing;

import java.nio.file.Path;
import java.util.Map;

import dev.toolgate.audit.AuditKeys;
import dev.toolgate.demo.SampleTools;

/**
 * The gateway tests' contract and sample tools with every audit setting that makes the log survive: rotation at 2 KiB,
 * a checkpoint every 4 records signed with a key made here, the checkpoint and export copies.
 */
public class AuditSurvivesResource extends WorldResource {

    private static volatile SampleTools tools;
    private static volatile Path log;
    private static volatile AuditKeys keys;

    public AuditSurvivesResource() {
        super("audit-survives");
    }

    @Override
    Map<String, String> configure(TestWorld world) throws Exception {
        tools = world.tools;
        log = world.auditFile;
        keys = AuditKeys.generate(world.dir, "audit-key");
        Map<String, String> config = world.config("gateway.yaml", Map.of());
        config.put("toolgate.audit.rotate-size", "2K");
        config.put("toolgate.audit.checkpoint.key", keys.privatePem().toString());
        config.put("toolgate.audit.checkpoint.key-id", "gateway-test");
        config.put("toolgate.audit.checkpoint.every-records", "4");
        config.put("toolgate.audit.checkpoint.file", checkpoints().toString());
        config.put("toolgate.audit.export.file", export().toString());
        return config;
    }

    public static SampleTools tools() {
        return tools;
    }

    /** The active audit file. */
    public static Path log() {
        return log;
    }

    public static AuditKeys keys() {
        return keys;
    }

    public static Path checkpoints() {
        return log.resolveSibling("shipped/checkpoints.jsonl");
    }

    public static Path export() {
        return log.resolveSibling("shipped/export.jsonl");
    }
}
