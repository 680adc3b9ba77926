package dev.toolgate.store;

/** Redis refused a Lua script (it does not compile, or Redis hashed it differently): a bug that must stop startup. */
public final class ScriptRefusedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public ScriptRefusedException(String message) {
        super(message);
    }
}
