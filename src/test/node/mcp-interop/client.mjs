#!/usr/bin/env node
// A scripted MCP client on the official TypeScript SDK (@modelcontextprotocol/sdk, pinned in package.json), for
// interop tests: it connects ONE Client ("toolgate-interop") over Streamable HTTP and runs the steps of MCP_SCRIPT in
// order, then prints ONE JSON document on stdout and exits 0, whatever the server answered.
//
// Environment:
//   MCP_URL         the MCP endpoint, e.g. http://127.0.0.1:8081/mcp/docs (required)
//   MCP_TOKEN       bearer token, sent as "Authorization: Bearer <token>" on every request (POST, GET, DELETE);
//                   no Authorization header when unset or empty
//   MCP_HEADERS     optional JSON object of extra request headers (string values), e.g. {"Toolgate-Mode":"dry-run"};
//                   applied after Authorization, so it may replace it
//   MCP_TIMEOUT_MS  optional default timeout of each MCP request, initialize included (the SDK's default otherwise:
//                   60000); a step's "timeoutMs" overrides it
//   MCP_SCRIPT      JSON array of steps, run in order; a failing step does not stop the next ones:
//     {"op":"listTools"}                         every page (follows nextCursor); result {names, tools, pages}
//     {"op":"callTool","name":"n","arguments":{},"meta":{...},"progress":true}
//                                                meta becomes params._meta; with progress the step also carries
//                                                "progress": [{progress, total, message, atMs}], atMs since the call
//     {"op":"ping"}
//     {"op":"listResources","cursor":"..."}      one page (cursor optional)
//     {"op":"readResource","uri":"..."}
//     {"op":"listPrompts","cursor":"..."}        one page (cursor optional)
//     {"op":"getPrompt","name":"n","arguments":{}}
//     {"op":"sessionId"}                         result {sessionId} (null when the server gave none)
//     {"op":"terminate"}                         transport.terminateSession() (an HTTP DELETE when there is a
//                                                session); result {sessionIdBefore, sessionIdAfter}
//     {"op":"request","method":"m","params":{}}  any other request, result unchecked beyond being a result
//     {"op":"sleep","ms":100}
//   Any step may carry "timeoutMs" (the request's timeout).
//
// Output (stdout, one JSON document, nothing else; diagnostics go to stderr):
//   {"sdkVersion", "steps": [{"op", "ok": true, "result", "elapsedMs"[, "progress"]} |
//                            {"op", "ok": false, "error": {name, message, code?, data?, httpStatus?, cause?},
//                             "elapsedMs"[, "progress"]}],
//    "serverVersion", "serverCapabilities", "instructions", "protocolVersion", "transportErrors": [error + atMs]}
//   or, when connect() (initialize) fails: {"sdkVersion", "connectError": error, "transportErrors": [...]}.
//   "code" is the JSON-RPC error code of an McpError; "httpStatus" the HTTP status of a StreamableHTTPError.
//   "transportErrors" lists what the SDK reported to onerror, which includes failures of the optional GET stream
//   that no step sees (and, again, every failed request).
// Exit status: 0 whenever the document was printed; 2 for a bad MCP_URL/MCP_HEADERS/MCP_SCRIPT; 1 for a bug here.

import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, ResultSchema } from '@modelcontextprotocol/sdk/types.js';

const MAX_PAGES = 1000;

class UsageError extends Error {}

function fail(status, message) {
    process.stderr.write(`client.mjs: ${message}\n`);
    process.exit(status);
}

function sdkVersion() {
    try {
        const url = new URL('./node_modules/@modelcontextprotocol/sdk/package.json', import.meta.url);
        return JSON.parse(readFileSync(url, 'utf8')).version;
    } catch {
        return null;
    }
}

function parseJsonEnv(name, fallback) {
    const text = process.env[name];
    if (text === undefined || text === '') {
        return fallback;
    }
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new UsageError(`${name} is not JSON: ${e.message}`);
    }
}

const OPS = {
    listTools: [],
    callTool: ['name'],
    ping: [],
    listResources: [],
    readResource: ['uri'],
    listPrompts: [],
    getPrompt: ['name'],
    sessionId: [],
    terminate: [],
    request: ['method'],
    sleep: ['ms']
};

function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkScript(script) {
    if (!Array.isArray(script)) {
        throw new UsageError('MCP_SCRIPT must be a JSON array of steps');
    }
    script.forEach((step, i) => {
        if (!isObject(step) || typeof step.op !== 'string') {
            throw new UsageError(`MCP_SCRIPT step ${i} is not an object with a string "op"`);
        }
        const required = OPS[step.op];
        if (!required) {
            throw new UsageError(`MCP_SCRIPT step ${i}: unknown op "${step.op}" (known: ${Object.keys(OPS).join(', ')})`);
        }
        for (const field of required) {
            if (step[field] === undefined) {
                throw new UsageError(`MCP_SCRIPT step ${i} (${step.op}) lacks "${field}"`);
            }
        }
        for (const field of ['arguments', 'meta', 'params']) {
            if (step[field] !== undefined && !isObject(step[field])) {
                throw new UsageError(`MCP_SCRIPT step ${i} (${step.op}): "${field}" must be an object`);
            }
        }
        if (step.timeoutMs !== undefined && !(Number.isFinite(step.timeoutMs) && step.timeoutMs > 0)) {
            throw new UsageError(`MCP_SCRIPT step ${i} (${step.op}): "timeoutMs" must be a positive number`);
        }
        if (step.op === 'sleep' && !(Number.isFinite(step.ms) && step.ms >= 0)) {
            throw new UsageError(`MCP_SCRIPT step ${i} (sleep): "ms" must be a number >= 0`);
        }
    });
    return script;
}

function checkHeaders(headers) {
    if (!isObject(headers) || !Object.values(headers).every(v => typeof v === 'string')) {
        throw new UsageError('MCP_HEADERS must be a JSON object of string values');
    }
    return headers;
}

function describeError(error) {
    if (!(error instanceof Error)) {
        return { name: typeof error, message: String(error) };
    }
    const out = { name: error instanceof McpError ? 'McpError' : error.constructor?.name || error.name, message: error.message };
    if (error instanceof McpError) {
        out.code = error.code;
    } else if (error instanceof StreamableHTTPError) {
        out.httpStatus = error.code;
    } else if (error.code !== undefined) {
        out.code = error.code;
    }
    if (error.data !== undefined) {
        out.data = error.data;
    }
    if (error.cause !== undefined) {
        out.cause = describeError(error.cause);
    }
    return out;
}

function elapsedSince(start) {
    return Math.round((performance.now() - start) * 10) / 10;
}

async function listTools(client, options) {
    const names = [];
    const tools = [];
    const pages = [];
    const seen = new Set();
    let cursor;
    do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor }, options);
        pages.push({ tools: page.tools.length, nextCursor: page.nextCursor ?? null });
        for (const tool of page.tools) {
            names.push(tool.name);
            tools.push(tool);
        }
        cursor = page.nextCursor;
        if (cursor !== undefined) {
            if (seen.has(cursor) || pages.length >= MAX_PAGES) {
                throw new Error(`tools/list pagination does not end (cursor ${JSON.stringify(cursor)} after ${pages.length} pages)`);
            }
            seen.add(cursor);
        }
    } while (cursor !== undefined);
    return { names, tools, pages };
}

async function runStep(client, transport, step, defaultTimeout) {
    const options = {};
    const timeout = step.timeoutMs ?? defaultTimeout;
    if (timeout !== undefined) {
        options.timeout = timeout;
    }
    const entry = { op: step.op };
    let progress;
    const start = performance.now();
    try {
        let result;
        switch (step.op) {
            case 'listTools':
                result = await listTools(client, options);
                break;
            case 'callTool': {
                const params = { name: step.name, arguments: step.arguments ?? {} };
                if (step.meta !== undefined) {
                    params._meta = step.meta;
                }
                if (step.progress) {
                    progress = [];
                    options.onprogress = p => progress.push({ ...p, atMs: elapsedSince(start) });
                }
                result = await client.callTool(params, undefined, options);
                break;
            }
            case 'ping':
                result = await client.ping(options);
                break;
            case 'listResources':
                result = await client.listResources(step.cursor === undefined ? {} : { cursor: step.cursor }, options);
                break;
            case 'readResource':
                result = await client.readResource({ uri: step.uri }, options);
                break;
            case 'listPrompts':
                result = await client.listPrompts(step.cursor === undefined ? {} : { cursor: step.cursor }, options);
                break;
            case 'getPrompt':
                result = await client.getPrompt({ name: step.name, arguments: step.arguments ?? {} }, options);
                break;
            case 'sessionId':
                result = { sessionId: transport.sessionId ?? null };
                break;
            case 'terminate': {
                const before = transport.sessionId ?? null;
                await transport.terminateSession();
                result = { sessionIdBefore: before, sessionIdAfter: transport.sessionId ?? null };
                break;
            }
            case 'request':
                result = await client.request({ method: step.method, params: step.params ?? {} }, ResultSchema, options);
                break;
            case 'sleep':
                await new Promise(resolve => setTimeout(resolve, step.ms));
                result = {};
                break;
            default:
                throw new Error(`unhandled op ${step.op}`); // checkScript lets none through
        }
        entry.ok = true;
        entry.result = result;
    } catch (error) {
        entry.ok = false;
        entry.error = describeError(error);
    }
    entry.elapsedMs = elapsedSince(start);
    if (progress !== undefined) {
        entry.progress = progress;
    }
    return entry;
}

function print(document) {
    return new Promise(resolve => process.stdout.write(JSON.stringify(document) + '\n', resolve));
}

async function main() {
    let url, script, extraHeaders, defaultTimeout;
    try {
        if (!process.env.MCP_URL) {
            throw new UsageError('MCP_URL is not set');
        }
        try {
            url = new URL(process.env.MCP_URL);
        } catch {
            throw new UsageError(`MCP_URL is not a URL: ${process.env.MCP_URL}`);
        }
        script = checkScript(parseJsonEnv('MCP_SCRIPT', undefined));
        extraHeaders = checkHeaders(parseJsonEnv('MCP_HEADERS', {}));
        if (process.env.MCP_TIMEOUT_MS) {
            defaultTimeout = Number(process.env.MCP_TIMEOUT_MS);
            if (!(Number.isFinite(defaultTimeout) && defaultTimeout > 0)) {
                throw new UsageError(`MCP_TIMEOUT_MS is not a positive number: ${process.env.MCP_TIMEOUT_MS}`);
            }
        }
    } catch (e) {
        if (e instanceof UsageError) {
            fail(2, e.message);
        }
        throw e;
    }

    const headers = {};
    if (process.env.MCP_TOKEN) {
        headers.Authorization = `Bearer ${process.env.MCP_TOKEN}`;
    }
    Object.assign(headers, extraHeaders);

    const started = performance.now();
    const transportErrors = [];
    const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
    const client = new Client({ name: 'toolgate-interop', version: sdkVersion() ?? '0.0.0' });
    client.onerror = error => {
        transportErrors.push({ ...describeError(error), atMs: elapsedSince(started) });
        process.stderr.write(`client.mjs: onerror: ${error?.stack ?? error}\n`);
    };

    const document = { sdkVersion: sdkVersion() };
    try {
        await client.connect(transport, defaultTimeout === undefined ? undefined : { timeout: defaultTimeout });
    } catch (error) {
        document.connectError = describeError(error);
        document.transportErrors = transportErrors;
        await client.close().catch(() => {});
        await print(document);
        return;
    }

    document.steps = [];
    for (const step of script) {
        document.steps.push(await runStep(client, transport, step, defaultTimeout));
    }
    document.serverVersion = client.getServerVersion() ?? null;
    document.serverCapabilities = client.getServerCapabilities() ?? null;
    document.instructions = client.getInstructions() ?? null;
    document.protocolVersion = transport.protocolVersion ?? null;
    await client.close().catch(error => process.stderr.write(`client.mjs: close: ${error}\n`));
    document.transportErrors = transportErrors;
    await print(document);
}

main().then(
    () => process.exit(0),
    error => fail(1, `bug: ${error?.stack ?? error}`)
);
