/**
 * The MCP ingress: {@code /mcp/{server}}, a Streamable HTTP endpoint in front of an upstream MCP server the contract
 * names ({@code kind: mcp}); the design is ADR 0007.
 * <ul>
 * <li>{@link dev.toolgate.ingress.mcp.McpIngress}: identity, server grant, protocol version, session binding, one
 * strict JSON-RPC message per POST ({@link dev.toolgate.ingress.mcp.JsonRpc}), and what becomes of each method.</li>
 * <li>{@link dev.toolgate.ingress.mcp.McpUpstream}: a {@code tools/call} the pipeline let through, forwarded and its
 * answer passed on (streamed event by event, the answer itself after settlement), kept for idempotent repeats.</li>
 * <li>{@link dev.toolgate.ingress.mcp.McpRelay}: the HTTP exchange with the server, with only the headers MCP needs;
 * {@link dev.toolgate.ingress.mcp.SseEvents} splits its streams into events.</li>
 * <li>{@link dev.toolgate.ingress.mcp.McpSessions}: which principal opened each session (Redis or embedded).</li>
 * <li>{@link dev.toolgate.ingress.mcp.McpSchemas}: the servers' own input schemas, checked besides the contract's.</li>
 * <li>{@link dev.toolgate.ingress.mcp.McpAnswers}: outcomes as MCP answers them ({@code isError} results, JSON-RPC
 * errors carrying the problem document).</li>
 * </ul>
 */
package dev.toolgate.ingress.mcp;
