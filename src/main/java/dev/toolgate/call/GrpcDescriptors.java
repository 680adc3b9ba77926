package dev.toolgate.call;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;

/**
 * The services of a gRPC tool's descriptor set ({@link GrpcSpec#descriptorSet()}), built once: the contract checks
 * that they describe what the tool declares, and the gRPC ingress reads request messages with them.
 */
public final class GrpcDescriptors {

    private final Map<String, Descriptors.ServiceDescriptor> services;

    private GrpcDescriptors(Map<String, Descriptors.ServiceDescriptor> services) {
        this.services = services;
    }

    /**
     * Builds every file of a serialised {@code FileDescriptorSet}, each after the files it imports.
     *
     * @throws IllegalArgumentException with a reason when the bytes are no descriptor set, or a file cannot be built
     *         (an import missing from the set, a type that does not resolve)
     */
    public static GrpcDescriptors of(byte[] descriptorSet) {
        FileDescriptorSet set;
        try {
            set = FileDescriptorSet.parseFrom(descriptorSet);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("is not a serialised google.protobuf.FileDescriptorSet");
        }
        Map<String, FileDescriptorProto> protos = new HashMap<>();
        set.getFileList().forEach(f -> protos.put(f.getName(), f));
        Map<String, Descriptors.FileDescriptor> built = new HashMap<>();
        Map<String, Descriptors.ServiceDescriptor> services = new HashMap<>();
        for (FileDescriptorProto file : set.getFileList()) {
            build(file.getName(), protos, built, 0).getServices()
                    .forEach(service -> services.put(service.getFullName(), service));
        }
        return new GrpcDescriptors(Map.copyOf(services));
    }

    private static Descriptors.FileDescriptor build(String name, Map<String, FileDescriptorProto> protos,
            Map<String, Descriptors.FileDescriptor> built, int depth) {
        Descriptors.FileDescriptor done = built.get(name);
        if (done != null) {
            return done;
        }
        FileDescriptorProto proto = protos.get(name);
        if (proto == null) {
            throw new IllegalArgumentException("lacks " + name + ", which a file of it imports (build it with"
                    + " --include_imports)");
        }
        if (depth > 64) {
            throw new IllegalArgumentException("has imports nested too deep, or in a cycle, at " + name);
        }
        Descriptors.FileDescriptor[] dependencies = new Descriptors.FileDescriptor[proto.getDependencyCount()];
        for (int i = 0; i < dependencies.length; i++) {
            dependencies[i] = build(proto.getDependency(i), protos, built, depth + 1);
        }
        try {
            Descriptors.FileDescriptor file = Descriptors.FileDescriptor.buildFrom(proto, dependencies);
            built.put(name, file);
            return file;
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalArgumentException("has a file that does not build: " + name + ": " + e.getDescription());
        }
    }

    /** The method of a full name {@code package.Service/Method}, when a service of the set has it. */
    public Optional<Descriptors.MethodDescriptor> method(String fullName) {
        int slash = fullName.lastIndexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        Descriptors.ServiceDescriptor service = services.get(fullName.substring(0, slash));
        return service == null ? Optional.empty()
                : Optional.ofNullable(service.findMethodByName(fullName.substring(slash + 1)));
    }

    /** Whether the set describes this service. */
    public boolean hasService(String fullName) {
        return services.containsKey(fullName);
    }

    /** The methods of a service the set describes, by their full names. */
    public List<String> methods(String service) {
        Descriptors.ServiceDescriptor found = services.get(service);
        return found == null ? List.of()
                : found.getMethods().stream().map(m -> service + "/" + m.getName()).toList();
    }
}
