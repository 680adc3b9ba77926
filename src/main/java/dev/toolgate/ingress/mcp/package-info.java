/**
 * The MCP ingress: {@code /mcp/{server}}, a Streamable HTTP endpoint in front of an upstream MCP server the contract
 * names ({@code kind: mcp}); the design is ADR 0007. It translates and decides nothing: every message (and the
 * server's stream, and the end of a session) is one call of the pipeline, and only what the pipeline allowed reaches
 * the server.
 * <ul>
 * <li>{@link dev.toolgate.ingress.mcp.McpIngress}: admits a request (identity once, protocol version, the caller's own
 * session) and hands it on.</li>
 * <li>{@link dev.toolgate.ingress.mcp.McpMessages}: one strict JSON-RPC message per POST
 * ({@link dev.toolgate.ingress.mcp.JsonRpc}) becomes a call ({@link dev.toolgate.ingress.mcp.McpCalls}); binds the
 * session an {@code initialize} opens. {@link dev.toolgate.ingress.mcp.McpStreams}: {@code GET} and
 * {@code DELETE}.</li>
 * <li>{@link dev.toolgate.ingress.mcp.McpUpstream} and {@link dev.toolgate.ingress.mcp.McpSessionUpstream}: what the
 * pipeline let through, forwarded and its answer passed on (streamed event by event, a request's answer after
 * settlement); {@link dev.toolgate.ingress.mcp.McpReplies} holds what they share.
 * {@link dev.toolgate.ingress.mcp.McpListings}: the answers rewritten to what the caller may see.</li>
 * <li>{@link dev.toolgate.ingress.mcp.McpRelay}: the HTTP exchange with the server, with only the headers MCP needs;
 * {@link dev.toolgate.ingress.mcp.SseEvents} splits its streams into events.</li>
 * <li>{@link dev.toolgate.ingress.mcp.McpSessions}: which principal opened each session (Redis or embedded).</li>
 * <li>{@link dev.toolgate.ingress.mcp.McpSchemas}: the servers' own input schemas, which the contract stage asks for
 * through {@link dev.toolgate.pipeline.ToolSchemas}.</li>
 * <li>{@link dev.toolgate.ingress.mcp.McpAnswers}: outcomes as MCP answers them; {@link
 * dev.toolgate.ingress.mcp.McpRefusals}: what never became a call.</li>
 * </ul>
 */
package dev.toolgate.ingress.mcp;
