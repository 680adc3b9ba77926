package dev.toolgate.ingress.grpc;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

/**
 * A request message as the action's arguments: a JSON object of the fields that are set, by their names in the
 * {@code .proto} file. Integers stay JSON integers (also 64-bit ones: proto3's JSON mapping would write them as
 * strings, and a schema's {@code integer} or the policy's comparison of an amount would then fail), enums are their
 * names, bytes are base64, maps are objects, repeated fields arrays.
 */
final class GrpcArguments {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 64;

    private GrpcArguments() {
    }

    /**
     * The message's arguments.
     *
     * @throws InvalidProtocolBufferException when the bytes are not a message of the type, or nest deeper than 64
     */
    static ObjectNode of(Descriptors.Descriptor type, byte[] message) throws InvalidProtocolBufferException {
        return object(DynamicMessage.parseFrom(type, message), 0);
    }

    private static ObjectNode object(Message message, int depth) throws InvalidProtocolBufferException {
        if (depth > MAX_DEPTH) {
            throw new InvalidProtocolBufferException("the message nests deeper than " + MAX_DEPTH);
        }
        ObjectNode out = NODES.objectNode();
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            FieldDescriptor descriptor = field.getKey();
            if (descriptor.isMapField()) {
                ObjectNode map = out.putObject(descriptor.getName());
                for (Object entry : (List<?>) field.getValue()) {
                    Message pair = (Message) entry;
                    FieldDescriptor key = pair.getDescriptorForType().findFieldByName("key");
                    FieldDescriptor value = pair.getDescriptorForType().findFieldByName("value");
                    map.set(String.valueOf(pair.getField(key)), value(value, pair.getField(value), depth));
                }
            } else if (descriptor.isRepeated()) {
                ArrayNode array = out.putArray(descriptor.getName());
                for (Object item : (List<?>) field.getValue()) {
                    array.add(value(descriptor, item, depth));
                }
            } else {
                out.set(descriptor.getName(), value(descriptor, field.getValue(), depth));
            }
        }
        return out;
    }

    private static boolean unsigned(FieldDescriptor field) {
        return switch (field.getType()) {
            case UINT32, FIXED32, UINT64, FIXED64 -> true;
            default -> false;
        };
    }

    private static JsonNode value(FieldDescriptor field, Object value, int depth)
            throws InvalidProtocolBufferException {
        return switch (field.getJavaType()) {
            case INT -> unsigned(field) ? NODES.numberNode(Integer.toUnsignedLong((Integer) value))
                    : NODES.numberNode((Integer) value);
            case LONG -> unsigned(field) ? NODES.numberNode(new java.math.BigInteger(Long.toUnsignedString((Long) value)))
                    : NODES.numberNode((Long) value);
            case FLOAT -> NODES.numberNode((Float) value);
            case DOUBLE -> NODES.numberNode((Double) value);
            case BOOLEAN -> NODES.booleanNode((Boolean) value);
            case STRING -> NODES.textNode((String) value);
            case BYTE_STRING -> NODES.textNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
            case ENUM -> NODES.textNode(((Descriptors.EnumValueDescriptor) value).getName());
            case MESSAGE -> object((Message) value, depth + 1);
        };
    }
}
