package dev.toolgate.call;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A call that does not go ahead, with its stable reason and what the caller needs to act on it.
 *
 * @param reason the stable reason code
 * @param detail one sentence for a human; never contains secrets or raw arguments
 * @param errors itemised problems (e.g. schema errors with their JSON pointer); empty when none
 * @param extensions further members of the problem document the reason needs (e.g. {@code approval_id}); values are
 *        JSON-serialisable
 */
public record Denial(Reason reason, String detail, List<String> errors, Map<String, Object> extensions) {

    public Denial {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        errors = List.copyOf(errors);
        // keep the members' order: problem documents list them as the stage added them
        extensions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extensions));
    }

    public static Denial of(Reason reason, String detail) {
        return new Denial(reason, detail, List.of(), Map.of());
    }

    public static Denial of(Reason reason, String detail, List<String> errors) {
        return new Denial(reason, detail, errors, Map.of());
    }

    public Denial with(String member, Object value) {
        var ext = new java.util.LinkedHashMap<>(extensions);
        ext.put(member, value);
        return new Denial(reason, detail, errors, ext);
    }
}
