package dev.toolgate.call;

/**
 * The names an MCP message's call carries as its invocation's method: the JSON-RPC method of a request or
 * notification, or one of the operations of the Streamable HTTP transport that are not a JSON-RPC method (named with a
 * {@code /} no MCP method has, so that they cannot be confused with one).
 */
public final class McpMethod {

    /** A call of one of the server's tools. */
    public static final String TOOLS_CALL = ActionSpec.MCP_METHOD;
    /** The listing of the server's tools. */
    public static final String TOOLS_LIST = "tools/list";
    /** The request that opens a session. */
    public static final String INITIALIZE = "initialize";
    /** {@code GET}: the server's own stream of requests and notifications. */
    public static final String STREAM = "http/get";
    /** {@code DELETE}: the agent ends its session. */
    public static final String END_SESSION = "http/delete";
    /** A JSON-RPC response the agent sends to a request of the server. */
    public static final String RESPONSE = "jsonrpc/response";

    private McpMethod() {
    }
}
