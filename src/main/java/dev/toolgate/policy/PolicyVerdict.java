package dev.toolgate.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

import dev.toolgate.call.Decision;

/**
 * What a policy decided about one call, reduced to what enforcing acts on: allowed or not, and the approval tier.
 * Two verdicts disagree when either differs; the reasons are shown but are not part of it (rewording a reason changes
 * nothing an agent sees happen).
 *
 * @param allow whether the call may go ahead
 * @param approval the approval tier's code ({@code none}, {@code required}, {@code dual}), or {@code none} for a
 *        decision toolgate could not read
 * @param reasons the policy's reasons, or what was wrong with a decision it could not read
 */
public record PolicyVerdict(boolean allow, String approval, List<String> reasons) {

    public PolicyVerdict {
        Objects.requireNonNull(approval, "approval");
        reasons = List.copyOf(reasons);
    }

    /** The verdict of a decision. */
    public static PolicyVerdict of(Decision decision) {
        return new PolicyVerdict(decision.allow(), decision.approval().code(), decision.reasons());
    }

    /** The verdict of what a bundle returned: a malformed decision is a denial, as the policy stage treats it. */
    public static PolicyVerdict of(DecisionReader.Result result) {
        return switch (result) {
            case DecisionReader.Result.Valid v -> of(v.decision());
            case DecisionReader.Result.Malformed m -> new PolicyVerdict(false, "none", List.of("no valid decision: "
                    + m.problem()));
        };
    }

    /**
     * The verdict an audit record kept in its {@code policy} member.
     *
     * @throws IllegalArgumentException when the member is not the shape toolgate writes
     */
    public static PolicyVerdict recorded(JsonNode policy) {
        JsonNode allow = policy.path("allow");
        JsonNode approval = policy.path("approval");
        if (!allow.isBoolean() || !approval.isTextual() || !policy.path("reasons").isArray()) {
            throw new IllegalArgumentException("the record's policy member is not a recorded decision");
        }
        List<String> reasons = new ArrayList<>();
        policy.path("reasons").forEach(r -> reasons.add(r.asText()));
        return new PolicyVerdict(allow.booleanValue(), approval.textValue(), reasons);
    }

    /** Whether enforcing would act differently on the two. */
    public boolean disagrees(PolicyVerdict other) {
        return allow != other.allow || !approval.equals(other.approval);
    }

    /** {@code allow}, {@code allow (approval required)} or {@code deny}. */
    public String describe() {
        if (!allow) {
            return "deny";
        }
        return "none".equals(approval) ? "allow" : "allow (approval " + approval + ")";
    }
}
