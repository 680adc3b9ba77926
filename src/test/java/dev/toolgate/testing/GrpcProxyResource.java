package dev.toolgate.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;

import dev.toolgate.testing.grpc.LedgerProto;

/**
 * Starts what the transparent gRPC proxy's tests need before Quarkus: a real gRPC upstream ({@link LedgerUpstream}),
 * the descriptor set of its protos (as {@code protoc --include_imports --descriptor_set_out} writes it), and the
 * contract {@code contracts/grpc.yaml} pointing at them.
 */
public class GrpcProxyResource extends WorldResource {

    private static volatile LedgerUpstream upstream;
    private static volatile Path auditFile;
    private static volatile dev.toolgate.demo.SampleTools tools;

    public GrpcProxyResource() {
        super("grpc-proxy");
    }

    public static LedgerUpstream upstream() {
        return upstream;
    }

    public static Path auditFile() {
        return auditFile;
    }

    public static dev.toolgate.demo.SampleTools tools() {
        return tools;
    }

    @Override
    Map<String, String> configure(TestWorld world) throws Exception {
        auditFile = world.auditFile;
        tools = world.tools;
        upstream = LedgerUpstream.start();
        Path descriptors = world.dir.resolve("ledger.pb");
        Files.write(descriptors, FileDescriptorSet.newBuilder().addFile(LedgerProto.getDescriptor().toProto()).build()
                .toByteArray());
        Map<String, String> config = world.config("grpc.yaml", Map.of("LEDGER_PORT",
                String.valueOf(upstream.port()), "DESCRIPTOR_SET", descriptors.toString()));
        config.put("toolgate.http.max-body-bytes", "16384");
        return config;
    }

    @Override
    void release() {
        if (upstream != null) {
            try {
                upstream.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
