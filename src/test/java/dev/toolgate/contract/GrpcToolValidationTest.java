package dev.toolgate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;

import dev.toolgate.call.ActionSpec;
import dev.toolgate.call.ToolSpec;
import dev.toolgate.testing.grpc.LedgerProto;

/** A tool of kind {@code grpc}: its services, its descriptor set, and methods as actions. */
class GrpcToolValidationTest {

    /** A gRPC ledger tool with the given extra lines and actions. */
    private static String ledger(String extra, String... actions) {
        StringBuilder yaml = new StringBuilder("""
                version: 1
                tools:
                  ledger:
                    kind: grpc
                    upstream: http://127.0.0.1:50051
                    risk: medium
                    reversible: true
                """);
        extra.lines().forEach(line -> yaml.append("    ").append(line).append('\n'));
        yaml.append("    actions:\n");
        for (String action : actions) {
            yaml.append("      - ").append(action).append('\n');
        }
        return yaml.toString();
    }

    private static Path descriptorSet(Path dir) throws Exception {
        Path file = dir.resolve("ledger.pb");
        Files.write(file, FileDescriptorSet.newBuilder().addFile(LedgerProto.getDescriptor().toProto()).build()
                .toByteArray());
        return file;
    }

    @Test
    void loadsAGrpcToolWithItsMethodsAsActions(@TempDir Path dir) throws Exception {
        ToolSpec ledger = Contracts.parse(ledger("services: [testing.v1.Ledger]\ndescriptor_set: "
                + descriptorSet(dir), "{name: testing.v1.Ledger/Post, schema: {type: object}}",
                "{name: testing.v1.Ledger/Watch}")).tool("ledger").orElseThrow();

        assertEquals(ToolSpec.Kind.GRPC, ledger.kind());
        assertEquals(List.of("testing.v1.Ledger"), ledger.grpc().orElseThrow().services());
        assertTrue(ledger.grpc().orElseThrow().described());
        assertEquals(ActionSpec.GRPC_METHOD, ledger.actions().get(0).method());
        assertEquals(List.of("testing.v1.Ledger/Post", "testing.v1.Ledger/Watch"),
                ledger.actions().stream().map(ActionSpec::name).toList());
    }

    @Test
    void refusesServicesAndMethodsItCannotServe(@TempDir Path dir) throws Exception {
        assertEquals(List.of("tools.ledger.services: is required"), Contracts.errors(ledger("",
                "{name: testing.v1.Ledger/Post}")));
        assertEquals(List.of("tools.ledger.services[0]: must be a full gRPC service name, e.g. ledger.v1.Ledger",
                "tools.ledger.actions[0].name: must be a method of one of the tool's services, package.Service/Method"),
                Contracts.errors(ledger("services: [\"testing v1\"]", "{name: testing.v1.Ledger/Post}")));
        assertEquals(List.of("tools.ledger.actions[0].name: must be a full gRPC method name, package.Service/Method"),
                Contracts.errors(ledger("services: [testing.v1.Ledger]", "{name: Post}")));
        assertEquals(List.of("tools.ledger.actions[0].name: must be a method of one of the tool's services,"
                + " package.Service/Method"), Contracts.errors(
                        ledger("services: [testing.v1.Ledger]",
                                "{name: other.v1.Ledger/Post}")));
        assertEquals(List.of("tools.ledger.actions[0].method: not used by a grpc tool (the action's name is the"
                + " method)", "tools.ledger.actions[0].fallback: not used by a grpc tool: a gRPC call has no fallback"),
                Contracts.errors(ledger("services: [testing.v1.Ledger]", "{name: testing.v1.Ledger/Post, method: POST,"
                        + " fallback: {tool: ledger, action: testing.v1.Ledger/Watch}}")));

        String described = "services: [testing.v1.Ledger, testing.v1.Missing]\ndescriptor_set: "
                + descriptorSet(dir);
        assertEquals(List.of("tools.ledger.descriptor_set: does not describe the service testing.v1.Missing"),
                Contracts.errors(ledger(described, "{name: testing.v1.Ledger/Post}")));
        assertEquals(List.of("tools.ledger.actions[0].name: is no method of the descriptor set"),
                Contracts.errors(ledger("services: [testing.v1.Ledger]\ndescriptor_set: " + descriptorSet(dir),
                        "{name: testing.v1.Ledger/Delete}")));
        Path junk = Files.writeString(dir.resolve("junk.pb"), "not a descriptor set \u0000\u00ff");
        assertEquals(List.of("tools.ledger.descriptor_set: is not a serialised google.protobuf.FileDescriptorSet"),
                Contracts.errors(ledger("services: [testing.v1.Ledger]\ndescriptor_set: " + junk,
                        "{name: testing.v1.Ledger/Post}")));
        assertEquals(List.of("tools.ledger.descriptor_set: cannot be read: NoSuchFileException"),
                Contracts.errors(ledger("services: [testing.v1.Ledger]\ndescriptor_set: " + dir.resolve("none.pb"),
                        "{name: testing.v1.Ledger/Post}")));
    }

    @Test
    void onlyAGrpcToolHasServicesOrADescriptorSet() {
        String yaml = """
                version: 1
                tools:
                  items:
                    upstream: http://127.0.0.1:9101
                    risk: low
                    reversible: true
                    services: [testing.v1.Ledger]
                    actions:
                      - {name: items.get, method: GET, path: "/items/{id}", schema: {type: object}}
                """;
        assertEquals(List.of("tools.items.services: only a grpc tool has services"), Contracts.errors(yaml));
    }
}
