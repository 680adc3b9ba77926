package dev.toolgate.ingress.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.toolgate.testing.GatewayResource;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.Channel;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The standard services on the gRPC port: health, as load balancers and Kubernetes probe it, and reflection. */
@QuarkusTest
@WithTestResource(GatewayResource.class)
class GrpcServerServicesTest {

    @GrpcClient("toolgate")
    Channel channel;

    @Test
    void answersTheStandardHealthCheckForTheServerAndForToolGateway() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);

        HealthCheckResponse server = health.check(HealthCheckRequest.newBuilder().setService("").build());
        HealthCheckResponse gateway = health.check(HealthCheckRequest.newBuilder()
                .setService("toolgate.v1.ToolGateway").build());

        assertEquals(HealthCheckResponse.ServingStatus.SERVING, server.getStatus());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, gateway.getStatus());
    }

    @Test
    void listsItsServicesByServerReflection() throws Exception {
        CompletableFuture<List<String>> services = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        services.complete(response.getListServicesResponse().getServiceList().stream()
                                .map(ServiceResponse::getName).toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        services.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());

        List<String> names = services.get(10, TimeUnit.SECONDS);
        requests.onCompleted();

        assertTrue(names.contains("toolgate.v1.ToolGateway"), names.toString());
        assertTrue(names.contains("grpc.health.v1.Health"), names.toString());
    }
}
