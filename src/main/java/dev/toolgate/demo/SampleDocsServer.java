package dev.toolgate.demo;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A small MCP server for the demo, {@code docs}, on Streamable HTTP at {@code /mcp}: sessions, JSON answers, and three
 * tools, {@code search_docs}, {@code delete_doc} and {@code admin_reset}, of which the demo contract names only the
 * first two. It does nothing real. (The tests put toolgate in front of a server built with the official MCP SDK.)
 */
public final class SampleDocsServer implements AutoCloseable {

    /** What one {@code search_docs} call costs; the server reports it in the result's {@code _meta}. */
    public static final long SEARCH_COST_USD_MICROS = 500;

    private static final String VERSION = "2025-06-18";

    private final HttpServer server;
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();

    private SampleDocsServer(Vertx vertx, int port) throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Starts the server on loopback; port 0 picks a free one. */
    public static SampleDocsServer start(Vertx vertx, int port) throws Exception {
        return new SampleDocsServer(vertx, port);
    }

    public int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest request) {
        if (!request.path().equals("/mcp")) {
            request.response().setStatusCode(404).end();
            return;
        }
        String session = request.getHeader("Mcp-Session-Id");
        switch (request.method().name()) {
            case "GET" -> request.response().setStatusCode(405).putHeader("Allow", "POST, DELETE").end();
            case "DELETE" -> request.response().setStatusCode(session != null && sessions.remove(session) ? 200 : 404)
                    .end();
            case "POST" -> request.body().onSuccess(body -> {
                JsonObject message;
                try {
                    message = body.toJsonObject();
                } catch (DecodeException | ClassCastException e) {
                    error(request, 400, null, -32700, "not a JSON-RPC message");
                    return;
                }
                String method = message.getString("method");
                Object id = message.getValue("id");
                if (method == null || id == null) {
                    request.response().setStatusCode(202).end(); // a notification or a response
                } else if (method.equals("initialize")) {
                    String opened = UUID.randomUUID().toString();
                    sessions.add(opened);
                    request.response().putHeader("Mcp-Session-Id", opened);
                    result(request, id, new JsonObject().put("protocolVersion", VERSION)
                            .put("capabilities", new JsonObject().put("tools", new JsonObject()))
                            .put("serverInfo", new JsonObject().put("name", "sample-docs").put("version", "1.0.0")));
                } else if (session == null || !sessions.contains(session)) {
                    error(request, session == null ? 400 : 404, id, -32001, "unknown session");
                } else {
                    answer(request, id, method, message.getJsonObject("params", new JsonObject()));
                }
            });
            default -> request.response().setStatusCode(405).end();
        }
    }

    private static void answer(HttpServerRequest request, Object id, String method, JsonObject params) {
        switch (method) {
            case "ping" -> result(request, id, new JsonObject());
            case "tools/list" -> result(request, id, new JsonObject().put("tools", new JsonArray()
                    .add(tool("search_docs", "Search the documentation", new JsonObject().put("query",
                            new JsonObject().put("type", "string")), "query"))
                    .add(tool("delete_doc", "Delete a document", new JsonObject().put("id",
                            new JsonObject().put("type", "string")), "id"))
                    .add(tool("admin_reset", "Reset the index", new JsonObject(), null))));
            case "tools/call" -> {
                String name = params.getString("name", "");
                JsonObject args = params.getJsonObject("arguments", new JsonObject());
                String text = switch (name) {
                    case "search_docs" -> "3 documents match \"" + args.getString("query", "") + "\"";
                    case "delete_doc" -> "deleted " + args.getString("id", "");
                    case "admin_reset" -> "index reset";
                    default -> null;
                };
                if (text == null) {
                    error(request, 200, id, -32602, "unknown tool " + name);
                    return;
                }
                JsonObject result = new JsonObject().put("content",
                        new JsonArray().add(new JsonObject().put("type", "text").put("text", text)));
                if (name.equals("search_docs")) {
                    result.put("_meta", new JsonObject().put("dev.toolgate/cost_usd_micros", SEARCH_COST_USD_MICROS));
                }
                result(request, id, result);
            }
            default -> error(request, 200, id, -32601, "method not found: " + method);
        }
    }

    private static JsonObject tool(String name, String description, JsonObject properties, String required) {
        JsonObject schema = new JsonObject().put("type", "object").put("properties", properties);
        if (required != null) {
            schema.put("required", new JsonArray().add(required));
        }
        return new JsonObject().put("name", name).put("description", description).put("inputSchema", schema);
    }

    private static void result(HttpServerRequest request, Object id, JsonObject result) {
        request.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("jsonrpc", "2.0").put("id", id).put("result", result).encode());
    }

    private static void error(HttpServerRequest request, int status, Object id, int code, String message) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("jsonrpc", "2.0").put("id", id)
                        .put("error", new JsonObject().put("code", code).put("message", message)).encode());
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
