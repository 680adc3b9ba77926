package dev.toolgate.call;

import java.util.regex.Pattern;

/**
 * What a run id may be, wherever it comes from ({@code Toolgate-Run-Id}, MCP {@code _meta}, a JWT's run claim): 1 to
 * 128 of {@code A-Z a-z 0-9 . _ : -}, so that it is safe in a store key, a log line and a header.
 */
public final class RunIds {

    /** The rule, for answers that explain it. */
    public static final String RULE = "1 to 128 of A-Z a-z 0-9 . _ : -";

    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RunIds() {
    }

    public static boolean valid(String run) {
        return run != null && FORMAT.matcher(run).matches();
    }
}
