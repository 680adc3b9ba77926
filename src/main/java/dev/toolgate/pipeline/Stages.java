package dev.toolgate.pipeline;

/** The positions of the stages, in the order of ARCHITECTURE.md. */
public final class Stages {

    public static final int IDENTIFY = 100;
    /** The run a credential pins its calls to. */
    public static final int RUN_PIN = 110;
    /** Runtime kill switches: right after identity, before anything that may need a store. */
    public static final int KILL_SWITCHES = 150;
    public static final int CONTRACT = 200;
    public static final int POLICY = 300;
    public static final int APPROVAL = 400;
    public static final int LIMITS = 500;
    public static final int IDEMPOTENCY = 600;

    private Stages() {
    }
}
