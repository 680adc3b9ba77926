package dev.toolgate.call;

import java.security.SecureRandom;
import java.util.UUID;

/** Decision ids: UUIDv7 (RFC 9562), so that ids sort by the time the call arrived. */
public final class CallIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private CallIds() {
    }

    public static String next() {
        long millis = System.currentTimeMillis();
        long randA = RANDOM.nextInt(1 << 12);
        long high = (millis << 16) | 0x7000L | randA;
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
