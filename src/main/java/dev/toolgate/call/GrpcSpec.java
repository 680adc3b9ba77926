package dev.toolgate.call;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a gRPC tool ({@link ToolSpec.Kind#GRPC}) serves: its services, by full name, and optionally the descriptors of
 * their messages, so that a request message can be read as the action's arguments.
 *
 * @param services the full names of the gRPC services the tool's upstream serves, e.g. {@code ledger.v1.Ledger}
 * @param descriptors the services of the tool's descriptor set, built once when the contract loads; empty without
 *        one: then messages pass as bytes and an action takes no arguments
 */
public record GrpcSpec(List<String> services, Optional<GrpcDescriptors> descriptors) {

    public GrpcSpec {
        services = List.copyOf(services);
        Objects.requireNonNull(descriptors, "descriptors");
    }

    public boolean described() {
        return descriptors.isPresent();
    }
}
