package dev.toolgate.limits;

import java.util.List;

import dev.toolgate.store.RedisScript;

/** The Lua scripts of {@code src/main/resources/limits/}, each documented in its header. */
final class RedisScripts {

    static final RedisScript RESERVE = RedisScript.fromClasspath("limits/reserve.lua");
    /** release.lua defines the release function both of these use. */
    static final RedisScript SETTLE = RedisScript.fromClasspath("limits/release.lua", "limits/settle.lua");
    static final RedisScript RELEASE_EXPIRED = RedisScript.fromClasspath("limits/release.lua",
            "limits/release_expired.lua");
    static final RedisScript RESET = RedisScript.fromClasspath("limits/reset.lua");
    static final RedisScript KILL = RedisScript.fromClasspath("limits/kill.lua");

    static final List<RedisScript> ALL = List.of(RESERVE, SETTLE, RELEASE_EXPIRED, RESET, KILL);

    private RedisScripts() {
    }
}
