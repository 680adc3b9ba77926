package dev.toolgate.call;

import java.util.Locale;
import java.util.Optional;

/** How many human sign-offs a call needs before it may run. */
public enum ApprovalTier {
    NONE,
    REQUIRED,
    DUAL;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a policy's {@code approval} member; empty when it is not one of the three codes. */
    public static Optional<ApprovalTier> parse(String code) {
        for (ApprovalTier tier : values()) {
            if (tier.code().equals(code)) {
                return Optional.of(tier);
            }
        }
        return Optional.empty();
    }

    public ApprovalTier atLeast(ApprovalTier other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
