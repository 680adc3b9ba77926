package dev.toolgate.adversarial;

import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorInfo;

import dev.toolgate.grpc.v1.Refusal;
import dev.toolgate.grpc.v1.ToolgateProto;
import dev.toolgate.testing.grpc.LedgerProto;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;

/**
 * The pack's gRPC client: one unary call of any full method name, with the metadata as written, its message encoded from
 * JSON with the request type's descriptor (toolgate's own protos and the tests' ledger) or sent as raw bytes. The
 * answer comes back in the shape the pack's checks read: the HTTP status and the problem document of toolgate's
 * {@code toolgate.v1.Refusal} detail, the decision id from the trailers, and the gRPC status as {@code grpc-status}.
 */
final class GrpcWire {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Integer, ManagedChannel> CHANNELS = new ConcurrentHashMap<>();
    private static final Map<String, Descriptors.Descriptor> INPUTS = inputs(ToolgateProto.getDescriptor(),
            LedgerProto.getDescriptor(), io.envoyproxy.envoy.service.auth.v3.ExternalAuthProto.getDescriptor());
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    private GrpcWire() {
    }

    static WireClient.Answer call(int port, Scenario.Grpc grpc, List<Map.Entry<String, String>> headers,
            UnaryOperator<String> substitute) {
        ManagedChannel channel = CHANNELS.computeIfAbsent(port, p -> NettyChannelBuilder.forAddress("127.0.0.1", p)
                .usePlaintext().maxInboundMessageSize(64 * 1024 * 1024).build());
        Metadata metadata = new Metadata();
        headers.forEach(h -> put(metadata, h.getKey(), substitute.apply(h.getValue())));
        grpc.metadata().forEach(h -> put(metadata, h.getKey(), substitute.apply(h.getValue())));
        byte[] message = grpc.messageBytes() != null ? grpc.messageBytes()
                : grpc.messageJson() != null ? encode(grpc.method(), substitute.apply(grpc.messageJson()))
                        : new byte[0];
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]> newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(grpc.method())
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        AtomicReference<Metadata> answerHeaders = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        Map<String, String> shown = new LinkedHashMap<>();
        try {
            ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel,
                    MetadataUtils.newAttachHeadersInterceptor(metadata),
                    MetadataUtils.newCaptureMetadataInterceptor(answerHeaders, trailers)), method,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), message);
            shown.put("grpc-status", "OK");
            decision(answerHeaders.get(), shown);
            decision(trailers.get(), shown);
            return new WireClient.Answer(200, shown, "{}");
        } catch (StatusRuntimeException refused) {
            shown.put("grpc-status", refused.getStatus().getCode().name());
            decision(refused.getTrailers(), shown);
            com.google.rpc.Status status = StatusProto.fromThrowable(refused);
            String problem = "{}";
            int http = 0;
            if (status != null) {
                for (Any detail : status.getDetailsList()) {
                    try {
                        if (detail.is(Refusal.class)) {
                            problem = detail.unpack(Refusal.class).getProblemJson();
                        } else if (detail.is(ErrorInfo.class)) {
                            shown.put("grpc-reason", detail.unpack(ErrorInfo.class).getReason());
                        }
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            try {
                JsonNode doc = JSON.readTree(problem);
                http = doc.path("status").asInt(0);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            // a status without toolgate's details (the transport's own refusal) is shown as it is
            String body = problem.equals("{}") ? "{\"grpc_description\":" + JSON.valueToTree(String.valueOf(
                    refused.getStatus().getDescription())) + "}" : problem;
            return new WireClient.Answer(http, shown, body);
        }
    }

    private static void decision(Metadata trailers, Map<String, String> shown) {
        if (trailers != null) {
            String id = trailers.get(Metadata.Key.of("toolgate-decision-id", Metadata.ASCII_STRING_MARSHALLER));
            if (id != null) {
                shown.put("toolgate-decision-id", id);
            }
        }
    }

    private static void put(Metadata metadata, String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
            metadata.put(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER), Base64.getDecoder().decode(value));
        } else {
            metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
        }
    }

    private static byte[] encode(String method, String json) {
        Descriptors.Descriptor type = INPUTS.get(method);
        if (type == null) {
            throw new IllegalArgumentException("the pack knows no request type of " + method
                    + ": send message_base64");
        }
        try {
            DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
            JsonFormat.parser().merge(json, message);
            return message.build().toByteArray();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("the message is not a " + type.getFullName() + ": " + e.getMessage());
        }
    }

    private static Map<String, Descriptors.Descriptor> inputs(Descriptors.FileDescriptor... files) {
        Map<String, Descriptors.Descriptor> inputs = new HashMap<>();
        for (Descriptors.FileDescriptor file : files) {
            for (Descriptors.ServiceDescriptor service : file.getServices()) {
                for (Descriptors.MethodDescriptor method : service.getMethods()) {
                    inputs.put(service.getFullName() + "/" + method.getName(), method.getInputType());
                }
            }
        }
        return Map.copyOf(inputs);
    }
}
