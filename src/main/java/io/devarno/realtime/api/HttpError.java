package io.devarno.realtime.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Ends a response with the service's error body {@code {"error":"<code>","message":"..."}}, for the Vert.x
 * filters that answer before any REST resource runs (upgrade gate, API auth, body limit, console).
 */
public final class HttpError {

    private HttpError() {}

    public static void end(HttpServerResponse response, int status, String error, String message) {
        send(response, status, error, message);
    }

    /**
     * Answers with {@code Connection: close} and closes the TCP connection once the body is written, as WebSocket
     * servers do with a refused upgrade: the client does not hold a socket until the idle timeout.
     */
    public static void endAndClose(HttpServerRequest request, int status, String error, String message) {
        request.response().putHeader("Connection", "close");
        send(request.response(), status, error, message)
                .onComplete(written -> request.connection().close());
    }

    private static Future<Void> send(HttpServerResponse response, int status, String error, String message) {
        return response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject()
                        .put("error", error)
                        .put("message", message)
                        .encode());
    }
}
