package dev.toolgate.call;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a gRPC tool ({@link ToolSpec.Kind#GRPC}) serves: its services, by full name, and optionally the descriptor set
 * that describes their messages, so that a request message can be read as the action's arguments.
 *
 * @param services the full names of the gRPC services the tool's upstream serves, e.g. {@code ledger.v1.Ledger}
 * @param descriptorSet a serialised {@code google.protobuf.FileDescriptorSet} with every file the services need
 *        ({@code protoc --include_imports --descriptor_set_out}), or empty: then messages pass as bytes and an action
 *        takes no arguments
 */
public record GrpcSpec(List<String> services, byte[] descriptorSet) {

    public GrpcSpec {
        services = List.copyOf(services);
        descriptorSet = descriptorSet.clone();
    }

    @Override
    public byte[] descriptorSet() {
        return descriptorSet.clone();
    }

    public boolean described() {
        return descriptorSet.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GrpcSpec other && services.equals(other.services)
                && Arrays.equals(descriptorSet, other.descriptorSet);
    }

    @Override
    public int hashCode() {
        return Objects.hash(services, Arrays.hashCode(descriptorSet));
    }

    @Override
    public String toString() {
        return "GrpcSpec[services=" + services + ", descriptorSet=" + descriptorSet.length + " bytes]";
    }
}
