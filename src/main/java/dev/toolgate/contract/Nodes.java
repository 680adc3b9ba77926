package dev.toolgate.contract;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed access to the contract's tree; every mismatch becomes a problem at the value's path. */
final class Nodes {

    /** Agent, tool and action names. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    /** Durations as the contract writes them: 250ms, 2s, 1m, 1h. */
    static final String DURATION = "([0-9]{1,9})(ms|s|m|h)";
    /**
     * The largest amount, cap or burst accepted: 2^51, the limits stores' bound, so that a sum of three stays below
     * 2^53 where Redis' Lua numbers (doubles) are still exact.
     */
    static final long MAX_EXACT = 1L << 51;

    private static final Pattern DURATION_TEXT = Pattern.compile(DURATION);

    private final LoadErrors problems;

    Nodes(LoadErrors problems) {
        this.problems = problems;
    }

    /** Whether the node is a mapping (of any keys); reports it when not. */
    boolean mapping(JsonNode node, String path) {
        if (!node.isObject()) {
            problems.add(path, "must be a mapping");
            return false;
        }
        return true;
    }

    /** Whether the node is a mapping; reports each key that is not one of {@code known}. */
    boolean mapping(JsonNode node, String path, List<String> known) {
        if (!mapping(node, path)) {
            return false;
        }
        for (Map.Entry<String, JsonNode> member : node.properties()) {
            if (!known.contains(member.getKey())) {
                problems.add(LoadErrors.key(path, member.getKey()),
                        "unknown key (known: " + String.join(", ", known) + ")");
            }
        }
        return true;
    }

    /** A member's value; {@code null} counts as absent. */
    Optional<JsonNode> member(JsonNode mapping, String path, String key, boolean required) {
        JsonNode value = mapping.get(key);
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(LoadErrors.key(path, key), "is required");
            }
            return Optional.empty();
        }
        return Optional.of(value);
    }

    /** A non-empty string member. */
    Optional<String> string(JsonNode mapping, String path, String key, boolean required) {
        return member(mapping, path, key, required).flatMap(v -> string(v, LoadErrors.key(path, key)));
    }

    /** A non-empty string value. */
    Optional<String> string(JsonNode value, String path) {
        if (!value.isTextual()) {
            problems.add(path, "must be a string");
            return Optional.empty();
        }
        if (value.textValue().isEmpty()) {
            problems.add(path, "must not be empty");
            return Optional.empty();
        }
        return Optional.of(value.textValue());
    }

    Optional<Boolean> bool(JsonNode mapping, String path, String key, boolean required) {
        Optional<JsonNode> value = member(mapping, path, key, required);
        if (value.isPresent() && !value.get().isBoolean()) {
            problems.add(LoadErrors.key(path, key), "must be true or false");
            return Optional.empty();
        }
        return value.map(JsonNode::booleanValue);
    }

    /** An optional list member; a wrong type is reported and reads as absent. */
    Optional<JsonNode> list(JsonNode mapping, String path, String key, boolean required) {
        Optional<JsonNode> value = member(mapping, path, key, required);
        if (value.isPresent() && !value.get().isArray()) {
            problems.add(LoadErrors.key(path, key), "must be a list");
            return Optional.empty();
        }
        return value;
    }

    /** An optional list of non-empty strings; empty when absent. */
    List<String> strings(JsonNode mapping, String path, String key) {
        List<String> strings = new ArrayList<>();
        list(mapping, path, key, false).ifPresent(list -> {
            for (int i = 0; i < list.size(); i++) {
                string(list.get(i), LoadErrors.index(LoadErrors.key(path, key), i)).ifPresent(strings::add);
            }
        });
        return strings;
    }

    /** Whether the name is acceptable as an agent, tool or action name; reports it when not. */
    boolean name(String name, String path) {
        if (!NAME.matcher(name).matches()) {
            problems.add(path, "must match " + NAME.pattern());
            return false;
        }
        return true;
    }

    /**
     * An integer member from {@code min} to {@code max}. Floats and strings are refused, even {@code 1.0} or
     * {@code "1"}: an amount of money is never rounded or guessed.
     */
    Optional<Long> integer(JsonNode mapping, String path, String key, boolean required, long min, long max) {
        String at = LoadErrors.key(path, key);
        return member(mapping, path, key, required).flatMap(value -> {
            if (!value.isIntegralNumber()) {
                problems.add(at, "must be an integer");
                return Optional.empty();
            }
            BigInteger number = value.bigIntegerValue();
            if (number.compareTo(BigInteger.valueOf(min)) < 0) {
                problems.add(at, "must be at least " + min);
                return Optional.empty();
            }
            if (number.compareTo(BigInteger.valueOf(max)) > 0) {
                problems.add(at, "must be at most " + max);
                return Optional.empty();
            }
            return Optional.of(number.longValueExact());
        });
    }

    /** A string member that names one of the enum's constants, written in lower case. */
    <E extends Enum<E>> Optional<E> choice(JsonNode mapping, String path, String key, boolean required,
            Class<E> type) {
        E[] constants = type.getEnumConstants();
        return string(mapping, path, key, required).flatMap(code -> {
            for (E constant : constants) {
                if (code(constant).equals(code)) {
                    return Optional.of(constant);
                }
            }
            problems.add(LoadErrors.key(path, key), "must be one of "
                    + String.join(", ", Arrays.stream(constants).map(Nodes::code).toList()));
            return Optional.empty();
        });
    }

    private static String code(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** The duration a text such as {@code 250ms} or {@code 2s} stands for; empty when it is not one. */
    static Optional<Duration> duration(String text) {
        Matcher m = DURATION_TEXT.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(duration(Long.parseLong(m.group(1)), m.group(2)));
    }

    static Duration duration(long amount, String unit) {
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
