#!/usr/bin/env node
// A tiny MCP server on the TypeScript SDK (McpServer over StreamableHTTPServerTransport, stateful sessions), only for
// checking client.mjs without toolgate: NodeMcpClientTest runs the client against it. The interop tests proper run
// client.mjs against toolgate in front of a Java-SDK upstream server.
//
// It listens on 127.0.0.1:$PORT (0, a free port, when unset) and prints the port, alone on one line, on stdout; nothing
// else goes to stdout. The MCP endpoint is every path under /mcp (/mcp, /mcp/docs, ...).
//   tools      echo {text} -> text; slow {} -> 3 progress notifications 200 ms apart (when the call carries a
//              progressToken), then "done"; tools/list is paginated, PAGE_SIZE tools a page (default 1)
//   resource   selfcheck://readme (text/plain)
//   prompt     greet {name}
// Environment, all optional:
//   TOKEN       when set, /mcp requests without "Authorization: Bearer $TOKEN" get 401
//   GET_STATUS  when set (e.g. 405), GET /mcp requests get that status instead of the standalone SSE stream
//   PAGE_SIZE   tools per tools/list page
// GET /requests answers the log of the /mcp requests received so far (method, headers that matter, JSON-RPC methods
// of the body, status), for looking at what the client sent on the wire.

import { randomUUID, webcrypto } from 'node:crypto';
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode, isInitializeRequest, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

// The SDK's server transport uses the global Web Crypto object, which Node.js 18 (Debian bookworm's) does not define
// without a flag; the client needs no such help.
globalThis.crypto ??= webcrypto;

const TOKEN = process.env.TOKEN || undefined;
const GET_STATUS = process.env.GET_STATUS ? Number(process.env.GET_STATUS) : undefined;
const PAGE_SIZE = Math.max(1, Number(process.env.PAGE_SIZE || 1));

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

function newMcpServer() {
    const server = new McpServer({ name: 'toolgate-selfcheck', version: '1.0.0' });
    server.registerTool(
        'echo',
        { description: 'Answers its text', inputSchema: { text: z.string() } },
        async ({ text }) => ({ content: [{ type: 'text', text }] })
    );
    server.registerTool(
        'slow',
        { description: 'Reports progress three times, 200 ms apart, then answers "done"', inputSchema: {} },
        async (_args, extra) => {
            const progressToken = extra._meta?.progressToken;
            for (let i = 1; i <= 3; i++) {
                if (progressToken !== undefined) {
                    await extra.sendNotification({
                        method: 'notifications/progress',
                        params: { progressToken, progress: i, total: 3, message: `step ${i} of 3` }
                    });
                }
                await sleep(200);
            }
            return { content: [{ type: 'text', text: 'done' }] };
        }
    );
    server.registerResource(
        'readme',
        'selfcheck://readme',
        { title: 'Read me', description: 'A fixed text', mimeType: 'text/plain' },
        async uri => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'toolgate selfcheck resource' }] })
    );
    server.registerPrompt(
        'greet',
        { description: 'Greets someone', argsSchema: { name: z.string() } },
        ({ name }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${name}!` } }] })
    );
    paginateTools(server);
    return server;
}

// McpServer answers tools/list in one page; wrap its handler to serve PAGE_SIZE tools a page, the cursor being the
// offset of the next page. (_requestHandlers is the SDK's private map; the SDK version is pinned.)
function paginateTools(server) {
    const whole = server.server._requestHandlers.get('tools/list');
    if (!whole) {
        throw new Error('the SDK no longer keeps a tools/list handler where this server expects it');
    }
    server.server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
        const { tools } = await whole({ method: 'tools/list', params: {} }, extra);
        const cursor = request.params?.cursor;
        const offset = cursor === undefined ? 0 : Number(cursor);
        if (!Number.isInteger(offset) || offset < 0 || offset > tools.length) {
            throw new McpError(ErrorCode.InvalidParams, `bad cursor ${JSON.stringify(cursor)}`);
        }
        const page = { tools: tools.slice(offset, offset + PAGE_SIZE) };
        if (offset + PAGE_SIZE < tools.length) {
            page.nextCursor = String(offset + PAGE_SIZE);
        }
        return page;
    });
}

const transports = new Map(); // session id -> transport
const requests = [];

function sendJson(res, status, body, headers = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
}

function jsonRpcError(res, status, code, message, headers) {
    sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}

async function readBody(req) {
    const chunks = [];
    for await (const chunk of req) {
        chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
}

function rpcMethods(body) {
    const messages = Array.isArray(body) ? body : [body];
    return messages.map(m => (m && typeof m === 'object' ? (m.method ?? (m.id !== undefined ? 'response' : '?')) : '?'));
}

async function handleMcp(req, res, entry) {
    if (TOKEN !== undefined && req.headers.authorization !== `Bearer ${TOKEN}`) {
        return jsonRpcError(res, 401, -32001, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
    }
    if (req.method === 'GET' && GET_STATUS !== undefined) {
        res.writeHead(GET_STATUS, { allow: 'POST, DELETE' });
        return res.end();
    }
    let body;
    if (req.method === 'POST') {
        try {
            body = JSON.parse(await readBody(req));
        } catch {
            return jsonRpcError(res, 400, ErrorCode.ParseError, 'Parse error');
        }
        entry.rpc = rpcMethods(body);
    }
    const sessionId = req.headers['mcp-session-id'];
    if (sessionId !== undefined) {
        const transport = transports.get(sessionId);
        if (!transport) {
            return jsonRpcError(res, 404, -32001, 'Session not found');
        }
        return transport.handleRequest(req, res, body);
    }
    if (req.method === 'POST' && isInitializeRequest(body)) {
        const transport = new StreamableHTTPServerTransport({
            sessionIdGenerator: () => randomUUID(),
            onsessioninitialized: id => transports.set(id, transport),
            onsessionclosed: id => transports.delete(id)
        });
        transport.onclose = () => {
            if (transport.sessionId) {
                transports.delete(transport.sessionId);
            }
        };
        await newMcpServer().connect(transport);
        return transport.handleRequest(req, res, body);
    }
    return jsonRpcError(res, 400, -32000, 'Bad Request: no Mcp-Session-Id and not an initialize request');
}

const http = createServer((req, res) => {
    const path = new URL(req.url, 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/requests') {
        return sendJson(res, 200, requests.map(({ response, ...entry }) => ({
            ...entry,
            status: response.headersSent ? response.statusCode : null
        })));
    }
    if (path !== '/mcp' && !path.startsWith('/mcp/')) {
        return sendJson(res, 404, { error: 'not found' });
    }
    const h = req.headers;
    const entry = {
        method: req.method,
        path,
        accept: h.accept ?? null,
        contentType: h['content-type'] ?? null,
        authorization: h.authorization ?? null,
        mcpSessionId: h['mcp-session-id'] ?? null,
        mcpProtocolVersion: h['mcp-protocol-version'] ?? null,
        lastEventId: h['last-event-id'] ?? null,
        extra: Object.fromEntries(Object.entries(h).filter(([name]) => name.startsWith('toolgate-'))),
        response: res
    };
    requests.push(entry);
    handleMcp(req, res, entry).catch(error => {
        process.stderr.write(`selfcheck-server: ${error?.stack ?? error}\n`);
        if (!res.headersSent) {
            jsonRpcError(res, 500, ErrorCode.InternalError, String(error));
        } else {
            res.end();
        }
    });
});

function shutdown() {
    for (const transport of transports.values()) {
        transport.close().catch(() => {});
    }
    http.close();
    http.closeAllConnections?.();
    process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

http.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
    process.stdout.write(`${http.address().port}\n`);
});
