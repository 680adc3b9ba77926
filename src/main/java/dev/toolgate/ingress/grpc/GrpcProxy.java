package dev.toolgate.ingress.grpc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.toolgate.config.ToolgateConfig;
import dev.toolgate.forward.GrpcForwarder;
import dev.toolgate.pipeline.Active;
import dev.toolgate.pipeline.Pipeline;
import io.grpc.HandlerRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.vertx.core.Vertx;
import io.vertx.grpc.VertxServerBuilder;

/**
 * The transparent gRPC proxy: every method of a service toolgate does not serve itself reaches a {@link ProxiedCall},
 * which hands it to the pipeline as a call of the contract's gRPC tool that serves the service (the full method name is
 * the action) and relays it to the tool's upstream as bytes when the pipeline allows it. A method no tool serves is
 * decided like any other call (and refused: no grant matches it), so that an unknown service learns nothing more than
 * an ungranted one.
 */
@ApplicationScoped
public class GrpcProxy implements ServerBuilderCustomizer<VertxServerBuilder> {

    /** Messages as they are on the wire. */
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException("a message could not be read", e);
            }
        }
    };

    final Pipeline pipeline;
    final Active active;
    final GrpcForwarder forwarder;
    final ObjectMapper json;
    final Vertx vertx;
    final int maxMessageBytes;
    final int maxUpstreamBytes;

    GrpcProxy(Pipeline pipeline, Active active, GrpcForwarder forwarder, ObjectMapper json, Vertx vertx,
            ToolgateConfig config) {
        this.pipeline = pipeline;
        this.active = active;
        this.forwarder = forwarder;
        this.json = json;
        this.vertx = vertx;
        this.maxMessageBytes = config.http().maxBodyBytes();
        this.maxUpstreamBytes = config.http().maxUpstreamBodyBytes();
    }

    @Override
    public void customize(GrpcServerConfiguration config, VertxServerBuilder builder) {
        builder.fallbackHandlerRegistry(new HandlerRegistry() {
            @Override
            public ServerMethodDefinition<?, ?> lookupMethod(String fullMethodName, String authority) {
                MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]> newBuilder()
                        .setType(MethodDescriptor.MethodType.UNKNOWN)
                        .setFullMethodName(fullMethodName)
                        .setRequestMarshaller(BYTES)
                        .setResponseMarshaller(BYTES)
                        .build();
                ServerCallHandler<byte[], byte[]> handler = (call, headers) -> new ProxiedCall(call, headers,
                        GrpcProxy.this).start();
                return ServerMethodDefinition.create(method, handler);
            }
        });
    }
}
